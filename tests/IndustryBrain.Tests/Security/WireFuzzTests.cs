using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Ingest;
using MQTTnet;
using Xunit.Abstractions;

namespace IndustryBrain.Tests.Security;

/// <summary>
/// Fuzzing a real silo over its real doors, seeded (IB_FUZZ_SEED) and bounded in time: mutated and random
/// MQTT messages through the embedded broker, and mutated and random HTTP requests through the API. No
/// input may crash the silo or hang; each is applied as it should be or refused with a reason; a refused
/// input changes no stored state.
/// </summary>
public sealed partial class WireFuzzTests(ITestOutputHelper output)
{
    public const int MqttInputs = 5_000;
    public const int HttpInputs = 5_000;
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(8);

    private static bool Accepted(MqttClientPublishResult result) =>
        result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers;

    [Fact]
    public async Task Every_mqtt_message_is_applied_as_parsed_or_refused_with_a_reason_and_refused_ones_store_nothing()
    {
        // It reads back every order it named, as fast as it can: no request limit (LimitsTests covers that).
        await using var silo = await SecuredSilo.Start(settings: ["--Mqtt:PublishesPerSecond=0", "--Http:RequestsPerSecond=0"]);
        await silo.Register("qiaofeng");
        await silo.Register("other");
        var password = await silo.IssueCredential("qiaofeng", "T1");
        var mutator = new Mutator(Mutator.SeedFromEnvironment() + 2);
        var run = Task.Run(async () =>
        {
            await using var terminal = await MqttTerminal.ConnectAs(silo.MqttPort, "qiaofeng/T1", password);
            var oracle = new Dictionary<string, OrderCounts>(StringComparer.Ordinal);
            var named = new HashSet<string>(StringComparer.Ordinal);
            var log = new List<string>();
            int applied = 0, refused = 0, outOfRange = 0;
            var parsed = new List<ParsedReading>();
            for (var i = 0; i < MqttInputs; i++)
            {
                var order = $"fz-{i:D5}-x";
                named.Add(order);
                var message = CountMessage(mutator, order, i);
                var payload = mutator.Random.Next(10) switch
                {
                    0 => mutator.Noise(),
                    1 => Encoding.UTF8.GetBytes(message),
                    _ => mutator.Mutate(message),
                };
                var topic = mutator.Chance(0.1)
                    ? mutator.Pick(new[] { "ib/other/T1/count", "ib/qiaofeng/T2/count", "ib/qiaofeng/T 1/count", "ib/brain/state", "ib/qiaofeng/T1/reject" })
                    : "ib/qiaofeng/T1/count";

                parsed.Clear();
                var expected = topic != "ib/qiaofeng/T1/count"
                    ? RejectReasons.NotAuthorized
                    : ReadingParser.ParseCounts(new ReadOnlySequence<byte>(payload), "T1", DateTimeOffset.UtcNow, parsed)?.Reason;

                var result = await terminal.Client.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
                var what = $"seed {mutator.Seed}, message {i} on {topic}: {Encoding.UTF8.GetString(payload)}";
                log.Add($"{what} -> {result.ReasonCode} {result.ReasonString} expected {expected}");
                if (expected is null)
                {
                    Assert.True(Accepted(result), $"{what}\n  refused with {result.ReasonCode} {result.ReasonString}, the parser takes it");
                    applied++;
                    foreach (var reading in parsed)
                    {
                        if (!oracle.TryGetValue(reading.Order, out var counts))
                        {
                            oracle[reading.Order] = counts = new OrderCounts();
                        }

                        counts.Apply(reading.Reading, out _);
                    }
                }
                else
                {
                    Assert.False(Accepted(result), $"{what}\n  taken, the parser refuses it with {expected}");
                    Assert.Equal(expected, result.ReasonString);
                    refused++;
                    outOfRange += expected == RejectReasons.TsOutOfRange ? 1 : 0;
                }
            }

            await silo.Drained();
            // The contract's alphabet allows the ids "." and "..", which no URL can name: HTTP clients and
            // Kestrel remove such dot segments. Those orders are stored, but cannot be read back here.
            foreach (var (order, counts) in oracle.Where(o => o.Key.Trim('.').Length > 0))
            {
                var progress = await silo.Ok(HttpMethod.Get, $"/api/enterprises/qiaofeng/orders/{order}", silo.AdminKey);
                var stored = progress!["steps"]!.AsArray().ToDictionary(s => s!["step"]!.GetValue<string>(), s => (s!["good"]!.GetValue<long>(), s["scrap"]!.GetValue<long>()));
                var expectedSteps = counts.Steps.ToDictionary(s => s.Key, s => (s.Value.Good, s.Value.Scrap));
                Assert.Equal(expectedSteps.OrderBy(s => s.Key, StringComparer.Ordinal), stored.OrderBy(s => s.Key, StringComparer.Ordinal));
            }

            foreach (var order in named.Where(o => !oracle.ContainsKey(o)))
            {
                using var response = await silo.Send(HttpMethod.Get, $"/api/enterprises/qiaofeng/orders/{order}", silo.AdminKey);
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"seed {mutator.Seed}: order {order} was only ever refused, yet GET answers {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{string.Join("\n", log.Where(l => l.Contains(order, StringComparison.Ordinal)))}");
            }

            using var other = await silo.Send(HttpMethod.Get, "/api/enterprises/other/orders", silo.AdminKey);
            Assert.Equal("[]", await other.Content.ReadAsStringAsync());
            return (applied, refused, oracle.Count, outOfRange);
        });

        var (applied, refused, orders, outOfRange) = await run.WaitAsync(Bound);
        output.WriteLine($"seed {mutator.Seed}: {MqttInputs} MQTT messages, {applied} applied to {orders} orders, {refused} refused ({outOfRange} for their ts)");
        Assert.Equal(MqttInputs, applied + refused);
        Assert.True(applied > 200 && refused > 2_000, $"{applied} applied, {refused} refused");
        Assert.True(outOfRange > 100, $"only {outOfRange} messages were refused for their ts");
        await silo.Ok(HttpMethod.Get, "/health", null);
    }

    private static string CountMessage(Mutator mutator, string order, int i)
    {
        string One(int k) => $$"""{"order":"{{order}}","step":"{{mutator.Pick(new[] { "blank", "forge", "pack" })}}","run":{{mutator.Random.Next(2)}},"seq":{{i * 10 + k}},"good":{{(i * 10) + (k * 7)}},"scrap":{{k}},"ts":"{{Ts(mutator)}}"}""";
        return mutator.Random.Next(3) switch
        {
            0 => One(0),
            1 => $"[{One(0)},{One(1)}]",
            _ => $"[{One(0)},{One(1)},{One(2)}]",
        };
    }

    /// <summary>A reading's time: mostly within the last week, now and then from a terminal clock the brain must not trust.</summary>
    private static string Ts(Mutator mutator)
    {
        var now = DateTimeOffset.UtcNow;
        var at = mutator.Random.Next(12) switch
        {
            0 => mutator.Pick(new[] { "9999-12-31T23:59:59Z", "9999-12-31T23:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00" }),
            1 => mutator.Pick(new[] { now.AddDays(1), now.AddHours(1), now.AddDays(-400), now.AddDays(-31) }).ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
            _ => now.AddMinutes(-mutator.Random.Next(1, 7 * 24 * 60)).ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
        };
        return at.Replace("+00:00", "Z", StringComparison.Ordinal);
    }

    [GeneratedRegex("%[01][0-9A-F]|%7F", RegexOptions.IgnoreCase)]
    private static partial Regex ControlCharacter();

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();

    [Fact]
    public async Task Every_http_request_is_applied_or_refused_with_a_reason_and_refused_ones_change_nothing()
    {
        await using var silo = await SecuredSilo.Start(settings: ["--Http:RequestsPerSecond=0", "--Http:AnonymousRequestsPerSecond=0"]);
        var mutator = new Mutator(Mutator.SeedFromEnvironment() + 3);
        var run = Task.Run(async () =>
        {
            var fuzz = new HttpFuzz(silo, mutator);
            await fuzz.Prepare();
            var baseline = await fuzz.Snapshot();
            var tally = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < HttpInputs; i++)
            {
                var request = fuzz.Next();
                using var message = request.Message(silo.Http.BaseAddress!);
                HttpResponseMessage response;
                try
                {
                    response = await silo.Http.SendAsync(message);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"seed {mutator.Seed}, request {i} {request}: no answer ({e.GetType().Name}: {e.Message})");
                }

                using var answered = response;
                var text = await response.Content.ReadAsStringAsync();
                var what = $"seed {mutator.Seed}, request {i} {request} answered {(int)response.StatusCode} {text}";
                Assert.True((int)response.StatusCode < 500, what);
                var status = (int)response.StatusCode;
                tally[$"{status}"] = tally.GetValueOrDefault($"{status}") + 1;
                if (status >= 400)
                {
                    // Kestrel itself refuses a request target with an encoded control character, before any
                    // middleware: a bare 400, as HTTP servers do for malformed requests.
                    var malformed = status == 400 && text.Length == 0 && ControlCharacter().IsMatch(request.Path);
                    if (request.Method != HttpMethod.Head && !malformed)
                    {
                        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", what);
                        var reason = JsonNode.Parse(text)?["reason"]?.GetValue<string>();
                        Assert.False(string.IsNullOrEmpty(reason), what);
                    }

                    if (request.Writes)
                    {
                        var now = await fuzz.Snapshot();
                        Assert.True(now == baseline, $"{what}\n  was refused, but the stored state changed:\n{baseline}\n  ->\n{now}");
                    }
                }
                else if (request.Writes)
                {
                    await fuzz.CheckApplied(request, text, what);
                    baseline = await fuzz.Snapshot();
                }
            }

            return tally;
        });

        var tally = await run.WaitAsync(Bound);
        output.WriteLine($"seed {mutator.Seed}: {HttpInputs} HTTP requests; by status: {string.Join(", ", tally.OrderBy(t => t.Key).Select(t => $"{t.Key}: {t.Value}"))}");
        Assert.True(tally.Where(t => t.Key.StartsWith('2')).Sum(t => t.Value) > 300, "too few requests were applied to test applying");
        await silo.Ok(HttpMethod.Get, "/health", null);
    }

    /// <summary>One fuzzed request: what it is, and whether it is meant to write.</summary>
    private sealed record FuzzRequest(HttpMethod Method, string Path, string? Key, byte[]? Body, string Kind, string? Enterprise, string? Target)
    {
        public bool Writes => Method != HttpMethod.Get && Method != HttpMethod.Head;

        public HttpRequestMessage Message(Uri silo)
        {
            // Absolute, so that a path beginning with // stays a path.
            var message = new HttpRequestMessage(Method, new Uri(silo.GetLeftPart(UriPartial.Authority) + Path));
            if (Key is not null)
            {
                message.Headers.TryAddWithoutValidation("Authorization", Key);
            }

            if (Body is not null)
            {
                message.Content = new ByteArrayContent(Body);
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            return message;
        }

        public override string ToString() =>
            $"{Method} {Path} [{Kind}] auth '{Key?[..Math.Min(Key.Length, 24)]}' body {(Body is null ? "-" : Encoding.UTF8.GetString(Body))}";
    }

    /// <summary>The requests, and what the silo should hold after them.</summary>
    private sealed class HttpFuzz(SecuredSilo silo, Mutator mutator)
    {
        private readonly string _closesAt = DateTimeOffset.UtcNow.AddDays(30).ToString("O", CultureInfo.InvariantCulture);
        private readonly List<string> _keys = [];
        private string _admin = "";

        public async Task Prepare()
        {
            _admin = "Bearer " + silo.AdminKey;
            await silo.Register("fz-a");
            await silo.Register("fz-b");
            var (_, enterprise) = await silo.CreateKey("enterprise", "fz-a");
            var (_, official) = await silo.CreateKey("official");
            var (revokedId, revoked) = await silo.CreateKey("enterprise", "fz-b");
            await silo.Ok(HttpMethod.Delete, $"/api/keys/{revokedId}", silo.AdminKey);
            // Mostly keys that pass, so that most requests reach the endpoints; the rest knock with the wrong ones.
            _keys.AddRange(Enumerable.Repeat(_admin, 9));
            _keys.AddRange(Enumerable.Repeat("Bearer " + enterprise, 5));
            _keys.AddRange(Enumerable.Repeat("Bearer " + official, 2));
            _keys.AddRange(["Bearer " + revoked, "Bearer ib_zzzzzzzzzzzz_" + new string('a', 52), "Bearer", "Basic YWRtaW46YWRtaW4=",
                "bearer " + silo.AdminKey, "Bearer  ", "Bearer " + new string('k', 5000), "Bearer " + silo.AdminKey + "x"]);
            await silo.Ok(HttpMethod.Put, "/api/enterprises/fz-a/orders/o1", silo.AdminKey, JsonNode.Parse(Plan()));
            await silo.Ok(HttpMethod.Put, "/api/bundles/fz-bundle", silo.AdminKey, JsonNode.Parse(Bundle()));
        }

        private static readonly string[] Watched =
        [
            "/api/enterprises/fz-a", "/api/enterprises/fz-a/orders/o1", "/api/enterprises/fz-a/orders", "/api/enterprises/fz-b",
            "/api/bundles/fz-bundle", "/api/keys", "/api/broker/passwd",
        ];

        /// <summary>What the watched resources hold now, as the administrator reads them.</summary>
        public async Task<string> Snapshot()
        {
            var parts = await Task.WhenAll(Watched.Select(async path =>
            {
                using var response = await silo.Send(HttpMethod.Get, path, silo.AdminKey);
                return $"{(int)response.StatusCode} {path} {TraceId().Replace(await response.Content.ReadAsStringAsync(), "")}";
            }));
            return string.Join('\n', parts);
        }

        private string Enterprise() => mutator.Chance(0.1) ? mutator.OddId() : mutator.Pick(new[] { "fz-a", "fz-a", "fz-b", "nobody" });

        private string Order() => mutator.Chance(0.1) ? mutator.OddId() : mutator.Pick(new[] { "o1", "o1", "o2" });

        private string BundleId() => mutator.Chance(0.1) ? mutator.OddId() : mutator.Pick(new[] { "fz-bundle", "fz-bundle", "fz-bundle2" });

        private string Plan() => $$"""
            {"product":"slaughter knife 8in","quantity":{{mutator.Random.Next(1, 20000)}},"unitPrice":38.5,"due":"2099-11-23T18:00:00+08:00",
             "routing":[{"step":"blank","name":"下料"},{"step":"forge","weight":2},{"step":"pack","name":"包装"}]}
            """;

        private string Registration() =>
            $$"""{"name":"Firm {{mutator.Random.Next(1000)}}","uscc":"{{SecuredSilo.Uscc}}","chainNode":"knives","park":"龙水","tier":"A"}""";

        private string Bundle() => $$"""
            {"material":"5Cr15MoV strip","unit":"t","supplier":"Baowu","listPrice":21000,
             "tiers":[{"minQuantity":50,"unitPrice":20600},{"minQuantity":200,"unitPrice":20300}],"minQuantity":50,"closesAt":"{{_closesAt}}"}
            """;

        private static string Path(string template, params string[] ids) =>
            string.Format(CultureInfo.InvariantCulture, template, ids.Select(Uri.EscapeDataString).ToArray<object>());

        public FuzzRequest Next()
        {
            var key = mutator.Chance(0.05) ? null : mutator.Pick(_keys);
            var enterprise = Enterprise();
            var (method, path, body, kind, target) = mutator.Random.Next(12) switch
            {
                0 => (HttpMethod.Put, Path("/api/enterprises/{0}", enterprise), Registration(), "register", enterprise),
                1 or 2 => (HttpMethod.Put, Path("/api/enterprises/{0}/orders/{1}", enterprise, Order()), Plan(), "plan", enterprise),
                3 => (HttpMethod.Put, Path("/api/bundles/{0}/pledges/{1}", BundleId(), enterprise), $$"""{"quantity":{{mutator.Random.Next(-5, 300)}}}""", "pledge", enterprise),
                4 => (HttpMethod.Delete, Path("/api/bundles/{0}/pledges/{1}", BundleId(), enterprise), null, "withdraw", enterprise),
                5 => (HttpMethod.Put, Path("/api/bundles/{0}", BundleId()), Bundle(), "bundle", null),
                6 => (HttpMethod.Post, "/api/keys", mutator.Pick(new[] { """{"role":"official"}""", """{"role":"enterprise","enterprise":"fz-a"}""", """{"role":"admin"}""", """{"role":"enterprise","enterprise":"nobody"}""" }), "key", null),
                7 => (mutator.Chance(0.5) ? HttpMethod.Post : HttpMethod.Delete, Path("/api/enterprises/{0}/terminals/{1}/credential", enterprise, mutator.Pick(new[] { "T1", "T2" })), null, "credential", enterprise),
                8 => (HttpMethod.Get, mutator.Pick(new[] { "/api/enterprises/{0}", "/api/enterprises/{0}/orders", "/api/enterprises/{0}/orders/o1", "/api/bundles", "/api/bundles/fz-bundle", "/api/keys", "/api/rejects?enterprise={0}&limit=5", "/api/broker/acl" }).Replace("{0}", Uri.EscapeDataString(enterprise), StringComparison.Ordinal), null, "read", null),
                9 => (mutator.Pick(new[] { HttpMethod.Post, HttpMethod.Patch, HttpMethod.Head, HttpMethod.Options, new HttpMethod("FUZZ") }), Path("/api/enterprises/{0}/orders/{1}", enterprise, Order()), Plan(), "method", enterprise),
                10 => (HttpMethod.Delete, "/api/keys/" + Uri.EscapeDataString(mutator.Pick(new[] { "admin", "nosuchkey", mutator.OddId() })), null, "revoke", null),
                _ => (mutator.Pick(new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Post }), "/" + string.Join('/', Enumerable.Range(0, mutator.Random.Next(1, 6)).Select(_ => Uri.EscapeDataString(mutator.Pick(new[] { "api", "enterprises", "bundles", "keys", "..", "%", "fz-a", mutator.OddId() })))), "{}", "junk", null),
            };
            byte[]? bytes = body is null ? null : mutator.Chance(0.6) ? mutator.Mutate(body) : Encoding.UTF8.GetBytes(body);
            if (bytes is not null && mutator.Chance(0.02))
            {
                bytes = mutator.Noise();
            }

            return new FuzzRequest(method, path, key, bytes, kind, enterprise, target);
        }

        /// <summary>A write the silo took: what it now holds must be what the request said.</summary>
        public async Task CheckApplied(FuzzRequest request, string answer, string what)
        {
            switch (request.Kind)
            {
                case "register":
                    var profile = (await silo.Ok(HttpMethod.Get, request.Path, silo.AdminKey))!["profile"]!;
                    Assert.True(Field(request.Body!, "name") is not { } name || profile["name"]!.GetValue<string>() == name.Trim(), what);
                    Assert.True(Field(request.Body!, "uscc") is not { } uscc || profile["uscc"]!.GetValue<string>() == uscc, what);
                    break;
                case "plan":
                    var order = (await silo.Ok(HttpMethod.Get, request.Path, silo.AdminKey))!;
                    Assert.True(Field(request.Body!, "product") is not { } product || order["product"]!.GetValue<string>() == product, what);
                    Assert.True(Field(request.Body!, "quantity") is not { } quantity || order["quantity"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture) == quantity, what);
                    break;
                case "pledge":
                    var bundle = (await silo.Ok(HttpMethod.Get, request.Path[..request.Path.IndexOf("/pledges/", StringComparison.Ordinal)], silo.AdminKey))!;
                    var pledge = bundle["pledges"]!.AsArray().Single(p => p!["enterprise"]!.GetValue<string>() == request.Enterprise);
                    Assert.True(Field(request.Body!, "quantity") is not { } pledged
                        || pledge!["quantity"]!.GetValue<decimal>() == decimal.Parse(pledged, NumberStyles.Float, CultureInfo.InvariantCulture), what);
                    break;
                case "key":
                    var created = JsonNode.Parse(answer)!;
                    var keys = (await silo.Ok(HttpMethod.Get, "/api/keys", silo.AdminKey))!.AsArray();
                    Assert.Contains(keys, k => k!["keyId"]!.GetValue<string>() == created["keyId"]!.GetValue<string>());
                    break;
                case "credential" when request.Method == HttpMethod.Post:
                    Assert.Equal($"{request.Enterprise}/{request.Path.Split('/')[5]}", JsonNode.Parse(answer)!["username"]!.GetValue<string>());
                    break;
            }
        }

        /// <summary>
        /// A field of the JSON body as ASP.NET Core binds it (names in any case, the last one wins; a number
        /// given as a string is refused, so is never applied), as invariant text; null when this reading cannot tell.
        /// </summary>
        private static string? Field(byte[] body, string name)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var value = document.RootElement.EnumerateObject().LastOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
                return value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole.ToString(CultureInfo.InvariantCulture) : value.GetDecimal().ToString(CultureInfo.InvariantCulture),
                    _ => null,
                };
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or OverflowException)
            {
                return null;
            }
        }
    }
}

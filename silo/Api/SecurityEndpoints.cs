using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Mqtt;
using IndustryBrain.Silo.Security;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Api;

/// <summary>The body of POST /api/keys.</summary>
public sealed record KeyRequest(string? Role, string? Enterprise);

/// <summary>A new API key, shown once.</summary>
public sealed record IssuedKey(string KeyId, string Key, string Role, string? Enterprise);

/// <summary>A terminal's new MQTT credential, shown once.</summary>
public sealed record IssuedCredential(string Username, string Password);

/// <summary>API keys and terminal credentials (docs/contract.md, "Security"); who may call them is the <see cref="AccessRule"/>'s.</summary>
public static class SecurityEndpoints
{
    public static void MapSecurity(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("Security");

        keys.MapPost("/", async (HttpRequest request, IGrainFactory grains, TimeProvider time, IOptions<JsonOptions> json) =>
        {
            var (body, problem) = await JsonBody.Read<KeyRequest>(request, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            if (!Roles.IsKnown(body!.Role))
            {
                return Problems.BadRequest("invalid-field", "role must be admin, official or enterprise");
            }

            string? enterprise = null;
            if (body.Role == Roles.Enterprise)
            {
                if (Ids.Problem(body.Enterprise, "enterprise") is { } badId)
                {
                    return Problems.BadRequest("invalid-id", badId);
                }

                if (!await grains.GetGrain<IEnterpriseGrain>(body.Enterprise!).IsRegistered())
                {
                    return Problems.NotFound("unknown-enterprise", $"enterprise '{body.Enterprise}' is not registered");
                }

                enterprise = body.Enterprise;
            }
            else if (body.Enterprise is not null)
            {
                return Problems.BadRequest("invalid-field", $"a key with the role {body.Role} names no enterprise");
            }

            var registry = grains.GetGrain<IKeyRegistryGrain>(Keys.District);
            while (true)
            {
                var keyId = Secrets.NewKeyId();
                var key = Secrets.NewApiKey(keyId);
                if (await registry.Add(new ApiKeyRecord(keyId, body.Role!, enterprise, SecretHash.Create(key), time.GetUtcNow(), null)))
                {
                    return Results.Created($"/api/keys/{keyId}", new IssuedKey(keyId, key, body.Role!, enterprise));
                }
            }
        })
        .WithSummary("Create an API key (admin); the key is shown in this answer only")
        .Accepts<KeyRequest>("application/json")
        .Produces<IssuedKey>(StatusCodes.Status201Created)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        keys.MapGet("/", async (IGrainFactory grains) => Results.Ok(await grains.GetGrain<IKeyRegistryGrain>(Keys.District).List()))
            .WithSummary("The API keys, without their secrets (admin)")
            .Produces<ApiKeySummary[]>();

        keys.MapDelete("/{keyId}", async (string keyId, IGrainFactory grains, KeyVerifier verifier) =>
        {
            var outcome = await grains.GetGrain<IKeyRegistryGrain>(Keys.District).Revoke(keyId);
            verifier.Forget(keyId);
            return outcome switch
            {
                KeyRevocation.Revoked or KeyRevocation.AlreadyRevoked => Results.NoContent(),
                KeyRevocation.LastAdmin => Problems.Conflict("last-admin-key", "the last administrator key cannot be revoked; create another first"),
                KeyRevocation.Configured => Problems.Conflict("configured-admin-key", "this key is set by Auth:AdminKey; change the configuration to replace it"),
                _ => Problems.NotFound("unknown-key", $"there is no key '{Printable(keyId)}'"),
            };
        })
        .WithSummary("Revoke an API key (admin); other silos stop trusting it within Auth:CacheSeconds")
        .Produces(StatusCodes.Status204NoContent)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict);

        var credential = app.MapGroup("/api/enterprises/{enterprise}/terminals/{terminal}/credential").WithTags("Security");

        credential.MapPost("/", async (string enterprise, string terminal, IGrainFactory grains, TimeProvider time,
            TerminalVerifier verifier, ITerminalSessions sessions) =>
        {
            if ((Ids.Problem(enterprise, "enterprise") ?? Ids.Problem(terminal, "terminal")) is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            if (!await grains.GetGrain<IEnterpriseGrain>(enterprise).IsRegistered())
            {
                return Problems.NotFound("unknown-enterprise", $"enterprise '{enterprise}' is not registered");
            }

            var password = Secrets.NewPassword();
            var rotated = await grains.GetGrain<ITerminalCredentialsGrain>(enterprise)
                .Issue(new TerminalCredential(terminal, SecretHash.Create(password), time.GetUtcNow()));
            var username = $"{enterprise}/{terminal}";
            verifier.Forget(username);
            if (rotated)
            {
                await sessions.Disconnect(new HashSet<string>(StringComparer.Ordinal) { username });
            }

            var issued = new IssuedCredential(username, password);
            return rotated ? Results.Ok(issued) : Results.Created($"/api/enterprises/{enterprise}/terminals/{terminal}/credential", issued);
        })
        .WithSummary("Issue a terminal's MQTT credential, or rotate it (admin, or that enterprise); the password is shown in this answer only")
        .Produces<IssuedCredential>()
        .Produces<IssuedCredential>(StatusCodes.Status201Created)
        .ProducesProblem(StatusCodes.Status404NotFound);

        credential.MapDelete("/", async (string enterprise, string terminal, IGrainFactory grains, TerminalVerifier verifier, ITerminalSessions sessions) =>
        {
            if ((Ids.Problem(enterprise, "enterprise") ?? Ids.Problem(terminal, "terminal")) is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var revoked = await grains.GetGrain<ITerminalCredentialsGrain>(enterprise).Revoke(terminal);
            var username = $"{enterprise}/{terminal}";
            verifier.Forget(username);
            await sessions.Disconnect(new HashSet<string>(StringComparer.Ordinal) { username });

            return revoked
                ? Results.NoContent()
                : Problems.NotFound("unknown-credential", $"terminal '{username}' has no credential");
        })
        .WithSummary("Revoke a terminal's MQTT credential (admin, or that enterprise); its connections are closed")
        .Produces(StatusCodes.Status204NoContent)
        .ProducesProblem(StatusCodes.Status404NotFound);

        var broker = app.MapGroup("/api/broker").WithTags("Security");

        broker.MapGet("/passwd", async (IGrainFactory grains) =>
            Results.Text(BrokerFiles.Passwords(await BrokerFiles.Credentials(grains)), "text/plain; charset=utf-8"))
            .WithSummary("Mosquitto's password file, from the credential registry (admin)");

        broker.MapGet("/acl", async (string? brain, IGrainFactory grains) =>
        {
            if (brain is not null && (brain.Length is 0 or > 64 || brain.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            {
                return Problems.BadRequest("invalid-field", "brain must be the brain's MQTT username, without spaces");
            }

            return Results.Text(BrokerFiles.Acl(await BrokerFiles.Credentials(grains), brain ?? BrokerFiles.DefaultBrainUser), "text/plain; charset=utf-8");
        })
        .WithSummary("Mosquitto's ACL file, with the same rights as the embedded broker (admin)");
    }

    private static string Printable(string value) => value.Length <= 64 ? value : value[..64] + "...";
}

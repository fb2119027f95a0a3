using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Mqtt;
using IndustryBrain.Silo.Security;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Api;

/// <summary>The body of POST /api/enterprises/{e}/terminals/credentials: a list of terminals, or a prefix and a count.</summary>
public sealed record FleetRequest(string?[]? Terminals, string? Prefix, int? Count, int? Start);

/// <summary>One terminal's new MQTT credential in a fleet answer; rotated when it had one before.</summary>
public sealed record IssuedTerminal(string Terminal, string Username, string Password, bool Rotated);

/// <summary>The answer to a fleet's credentials, shown once: the firm loads them onto its terminals.</summary>
public sealed record IssuedFleet(string Enterprise, int Issued, int Rotated, IssuedTerminal[] Terminals);

/// <summary>
/// Credentials for a fleet of terminals in one request (provisioning thousands of stations without hitting the
/// request rate limit): every id is checked first, so a bad one issues nothing; one save for all.
/// </summary>
public static class TerminalFleetEndpoints
{
    public static void MapTerminalFleet(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/enterprises/{enterprise}/terminals/credentials", async (string enterprise, HttpRequest request,
            IGrainFactory grains, TimeProvider time, TerminalVerifier verifier, ITerminalSessions sessions, IOptions<JsonOptions> json) =>
        {
            if (Ids.Problem(enterprise, "enterprise") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var (body, problem) = await JsonBody.Read<FleetRequest>(request, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            var (terminals, reason, why) = TerminalFleet.Names(body!.Terminals, body.Prefix, body.Count, body.Start);
            if (reason is not null)
            {
                return Problems.BadRequest(reason, why!);
            }

            if (!await grains.GetGrain<IEnterpriseGrain>(enterprise).IsRegistered())
            {
                return Problems.NotFound("unknown-enterprise", $"enterprise '{enterprise}' is not registered");
            }

            var now = time.GetUtcNow();
            var passwords = new string[terminals.Length];
            var credentials = new TerminalCredential[terminals.Length];
            for (var i = 0; i < terminals.Length; i++)
            {
                passwords[i] = Secrets.NewPassword();
                credentials[i] = new TerminalCredential(terminals[i], SecretHash.Create(passwords[i]), now);
            }

            var rotated = await grains.GetGrain<ITerminalCredentialsGrain>(enterprise).IssueMany(credentials);
            var issued = new IssuedTerminal[terminals.Length];
            var replaced = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < terminals.Length; i++)
            {
                var username = $"{enterprise}/{terminals[i]}";
                verifier.Forget(username);
                if (rotated[i])
                {
                    replaced.Add(username);
                }

                issued[i] = new IssuedTerminal(terminals[i], username, passwords[i], rotated[i]);
            }

            await sessions.Disconnect(replaced);

            return Results.Ok(new IssuedFleet(enterprise, issued.Length, rotated.Count(r => r), issued));
        })
        .WithTags("Security")
        .WithSummary($"Issue (or rotate) the MQTT credentials of up to {TerminalFleet.MaxPerRequest} terminals at once (admin, or that enterprise); the passwords are shown in this answer only")
        .Produces<IssuedFleet>()
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);
    }
}

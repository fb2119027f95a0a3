using Microsoft.AspNetCore.Authorization;

namespace IndustryBrain.Silo.Security;

/// <summary>The one authorization requirement of the API: <see cref="AccessRule"/> allows the request.</summary>
public sealed class AccessRequirement : IAuthorizationRequirement
{
    public const string Policy = "access-rule";
}

/// <summary>Applies <see cref="AccessRule"/> to the request being authorized.</summary>
public sealed class AccessRequirementHandler : AuthorizationHandler<AccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        // ASP.NET Core authorizes requests with the HttpContext as the resource; anything else is refused.
        if (context.Resource is not HttpContext http)
        {
            return Task.CompletedTask;
        }

        var request = http.Request;
        var segments = (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var filter = request.Query["enterprise"] is { Count: 1 } values ? values[0] : null;
        if (AccessRule.Allows(BearerKeyHandler.CallerOf(http), request.Method, segments, filter))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

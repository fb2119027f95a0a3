using IndustryBrain.Silo.Api;

namespace IndustryBrain.Silo.Codes;

/// <summary>The identifier node (docs/codes.md): its options and services, and its HTTP surface.</summary>
public static class CodeHosting
{
    public static IServiceCollection AddCodeNode(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CodeOptions>().Bind(configuration.GetSection("Codes"))
            .Validate(o => o.Problem() is null, "Codes:* is not valid (see docs/codes.md): NodePrefix dotted numbers, MacKey empty or 32+ characters, limits positive")
            .ValidateOnStart();
        services.AddSingleton<VerificationKeyring>();
        services.AddSingleton<CodeResolver>();
        return services;
    }

    public static IEndpointRouteBuilder MapCodeNode(this IEndpointRouteBuilder app)
    {
        app.MapCodes();
        app.MapHandles();
        app.MapDigitalLink();
        return app;
    }
}

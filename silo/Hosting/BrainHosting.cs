using IndustryBrain.Domain;
using IndustryBrain.Silo.Api;
using IndustryBrain.Silo.Cockpit;
using IndustryBrain.Silo.Grains;
using IndustryBrain.Silo.Ingest;
using IndustryBrain.Silo.Mqtt;
using IndustryBrain.Silo.Security;
using IndustryBrain.Silo.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;

namespace IndustryBrain.Silo.Hosting;

/// <summary>The contract's District:* keys.</summary>
public sealed class DistrictOptions
{
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>A JSON chain map file; empty: the default hardware chain shipped with the silo.</summary>
    public string ChainMap { get; set; } = "";
}

/// <summary>How the brain is put together: one place, used by the silo's Program and by tests.</summary>
public static class BrainHosting
{
    /// <summary>Everything a silo of the brain needs, from configuration.</summary>
    public static WebApplicationBuilder AddIndustryBrain(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration["urls"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:8080");
        }

        var services = builder.Services;
        services.AddOptions<MqttOptions>().Bind(configuration.GetSection("Mqtt"))
            .Validate(o => o.Port is > 0 and < 65536, "Mqtt:Port must be a TCP port")
            .Validate(o => o.Embedded || Uri.TryCreate(o.Broker, UriKind.Absolute, out _), "Mqtt:Broker must be empty or mqtt://host:port")
            .Validate(o => o.MaxPayloadBytes is > 0 and <= MqttOptions.ContractMaxPayloadBytes, "Mqtt:MaxPayloadBytes must be between 1 and 65536")
            .Validate(o => o.MaxConnections > 0 && o.PublishesPerSecond >= 0 && o.PublishBurst > 0,
                "Mqtt:MaxConnections and Mqtt:PublishBurst must be positive, Mqtt:PublishesPerSecond not negative")
            .ValidateOnStart();
        services.AddBrainGrainServices(configuration);
        services.AddSingleton<IngestMetrics>();

        // Stopped after Orleans (hosted services stop in reverse order), so a clean stop is marked only
        // once every grain has saved its state.
        services.AddSingleton<BrainEpoch>();
        services.AddHostedService(sp => sp.GetRequiredService<BrainEpoch>());

        var siloPort = configuration.GetValue("Orleans:SiloPort", 11111);
        var gatewayPort = configuration.GetValue("Orleans:GatewayPort", 30000);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "industry-brain", clusterId: "embedded");
            silo.AddBrainStorage();
            silo.AddBrainReminders();
            silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(30));
        });

        // After Orleans: the first administrator key is made in the registry grain.
        services.AddBrainSecurity(configuration);

        // The hosting log's "Request starting" lines carry query strings, and the cockpit stream's carries a key.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        // Started after Orleans, stopped before it: the broker stops taking, the ingest drains, then grains save.
        services.AddSingleton<RejectSink>();
        services.AddHostedService(sp => sp.GetRequiredService<RejectSink>());
        services.AddSingleton<IngestPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestPipeline>());
        services.AddSingleton<EmbeddedBroker>();
        services.AddSingleton<IBrainPublisher>(sp => sp.GetRequiredService<EmbeddedBroker>());
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        services.AddSingleton<CockpitFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<CockpitFeed>());

        // Every problem carries a reason, also those ASP.NET Core writes itself; a bad request that Kestrel
        // throws (a body over Http:MaxRequestBodyBytes) answers its own status, not 500.
        services.AddProblemDetails(o => o.CustomizeProblemDetails = problem =>
        {
            if (!problem.ProblemDetails.Extensions.ContainsKey("reason"))
            {
                problem.ProblemDetails.Extensions["reason"] = Problems.ReasonOf(problem.ProblemDetails.Status ?? problem.HttpContext.Response.StatusCode);
            }
        });
        services.Configure<ExceptionHandlerOptions>(o =>
        {
            o.StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
            o.SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException; // the client's fault, not worth an error line
        });
        services.AddOpenApi();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(IngestMetrics.MeterName)
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary>What the grains themselves depend on: the clock, the district calendar and the embedded store.</summary>
    public static IServiceCollection AddBrainGrainServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection("Storage"))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Path), "Storage:Path must name a folder")
            .ValidateOnStart();
        services.AddOptions<DistrictOptions>().Bind(configuration.GetSection("District"))
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "District:TimeZone must be a known time zone")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => DistrictCalendar.For(sp.GetRequiredService<IOptions<DistrictOptions>>().Value.TimeZone));
        services.AddSingleton<IValidateOptions<DistrictOptions>, DistrictOptionsValidation>();
        services.AddSingleton<ConfiguredChainMap>();
        services.AddSingleton<StateJson>();
        services.AddSingleton<SqliteStore>();
        return services;
    }

    /// <summary>The grain storage named <see cref="StorageNames.Store"/> on the embedded SQLite file.</summary>
    public static ISiloBuilder AddBrainStorage(this ISiloBuilder silo)
    {
        silo.Services.AddGrainStorage(StorageNames.Store, (sp, name) =>
            new SqliteGrainStorage(name, sp.GetRequiredService<SqliteStore>(), sp.GetRequiredService<StateJson>()));
        return silo;
    }

    /// <summary>Durable reminders (bundle deadlines) on the embedded SQLite file.</summary>
    public static ISiloBuilder AddBrainReminders(this ISiloBuilder silo)
    {
        silo.AddReminders();
        silo.Services.AddSingleton<IReminderTable, SqliteReminderTable>();
        return silo;
    }

    /// <summary>The HTTP surface of CONTRACT.md.</summary>
    public static WebApplication MapIndustryBrain(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCockpitPage();
        app.UseBrainSecurity();
        app.MapOpenApi();
        app.MapPrometheusScrapingEndpoint();
        app.MapEnterprises();
        app.MapBundles();
        app.MapOperations();
        app.MapCockpit();
        app.MapSecurity();
        return app;
    }
}

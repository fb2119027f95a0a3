using System.Net;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Api;
using IndustryBrain.Silo.Archive;
using IndustryBrain.Silo.Board;
using IndustryBrain.Silo.Cluster;
using IndustryBrain.Silo.Cockpit;
using IndustryBrain.Silo.Codes;
using IndustryBrain.Silo.Epoch;
using IndustryBrain.Silo.Grains;
using IndustryBrain.Silo.Ingest;
using IndustryBrain.Silo.Mqtt;
using IndustryBrain.Silo.Security;
using IndustryBrain.Silo.Storage;
using IndustryBrain.Silo.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Scalar.AspNetCore;
using StackExchange.Redis;

namespace IndustryBrain.Silo.Hosting;

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
            .Validate(o => o.MaxPendingMessagesPerClient > 0 && o.OfflineSessionExpirySeconds >= 0 && o.MaxConnectionsPerAddress > 0
                    && o.ConnectTimeoutSeconds > 0 && o.MaxClientIdLength >= 23,
                "Mqtt:MaxPendingMessagesPerClient, Mqtt:MaxConnectionsPerAddress and Mqtt:ConnectTimeoutSeconds must be positive, " +
                "Mqtt:OfflineSessionExpirySeconds not negative, Mqtt:MaxClientIdLength at least 23")
            .ValidateOnStart();
        services.AddBrainGrainServices(configuration);
        services.AddSingleton<IngestMetrics>();
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection("Ingest"))
            .Validate(o => o.Problem() is null, new IngestOptions { MaxTimestampAgeDays = -1 }.Problem()!)
            .ValidateOnStart();
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection("Telemetry"));
        var identity = ClusterIdentity.From(configuration);
        services.AddSingleton(identity);
        var tracing = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        services.AddOptions<DashboardSettings>().Bind(configuration.GetSection("Dashboard"));
        var dashboard = configuration.GetSection("Dashboard").Get<DashboardSettings>() ?? new DashboardSettings();
        services.AddOptions<DebugOptions>().Bind(configuration.GetSection("Debug"))
            .Validate(o => o.FullGcIntervalSeconds is > 0 and <= 86_400, "Debug:FullGcIntervalSeconds must be above 0")
            .ValidateOnStart();
        services.AddSingleton<FullGcLimiter>();

        // The epoch lives where the state lives: the local database, or Redis for a cluster. Stopped after
        // Orleans (hosted services stop in reverse order), so a clean stop is marked only once every grain
        // has saved its state.
        if (identity.Clustered)
        {
            services.AddSingleton<RedisConnection>();
            services.AddSingleton<IEpochStore, RedisEpochStore>();
        }
        else
        {
            services.AddSingleton<IEpochStore, SqliteEpochStore>();
        }

        services.AddSingleton<BrainEpoch>();
        services.AddHostedService(sp => sp.GetRequiredService<BrainEpoch>());

        // The history archive's writer stops after Orleans and the ingest: what they hand over while they
        // drain (the last readings, the enterprises' last daily figures) is still written.
        services.AddSingleton<IHistoryStore>(sp => HistoryStores.Create(
            sp.GetRequiredService<IOptions<HistoryOptions>>().Value, sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddSingleton<ArchiveWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ArchiveWriter>());

        builder.UseOrleans(silo =>
        {
            if (identity.Clustered)
            {
                silo.AddBrainCluster(identity, configuration);
            }
            else
            {
                silo.UseLocalhostClustering(identity.SiloPort, identity.GatewayPort, serviceId: identity.ServiceId, clusterId: identity.ClusterId);
                silo.AddBrainStorage();
                silo.AddBrainReminders();
            }

            silo.Configure<SiloOptions>(o => o.SiloName = identity.SiloName);
            silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(30));
            if (dashboard.Enabled)
            {
                Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(silo);
            }
            if (tracing)
            {
                silo.AddActivityPropagation();
            }
        });

        // After Orleans: the first administrator key is made in the registry grain.
        services.AddBrainSecurity(configuration);

        // Stopped after the ingest has drained and before Orleans deactivates the grains.
        services.AddHostedService<StopHandOff>();

        // The hosting log's "Request starting" lines carry query strings, and the cockpit stream's carries a key.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        // Started after Orleans, stopped before it: the broker stops taking, the ingest drains, then grains save.
        services.AddSingleton<RejectSink>();
        services.AddHostedService(sp => sp.GetRequiredService<RejectSink>());
        services.AddSingleton<IngestPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestPipeline>());
        services.AddSingleton<ILivePath>(sp => sp.GetRequiredService<IngestPipeline>());
        if (string.IsNullOrWhiteSpace(configuration["Mqtt:Broker"]))
        {
            services.AddSingleton<EmbeddedBroker>();
            services.AddSingleton<IBrainPublisher>(sp => sp.GetRequiredService<EmbeddedBroker>());
            services.AddSingleton<ITerminalSessions>(sp => sp.GetRequiredService<EmbeddedBroker>());
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        }
        else
        {
            services.AddSingleton<BrokerConnection>();
            services.AddSingleton<IBrainPublisher>(sp => sp.GetRequiredService<BrokerConnection>());
            services.AddSingleton<ITerminalSessions>(sp => sp.GetRequiredService<BrokerConnection>());
            services.AddHostedService(sp => sp.GetRequiredService<BrokerConnection>());
        }

        services.AddHostedService<LostReadingsWatch>();
        if (identity.Clustered)
        {
            services.AddSingleton<SiloLossWatch>();
            services.AddHostedService(sp => sp.GetRequiredService<SiloLossWatch>());
        }
        services.AddSingleton<ArchivedTrend>();
        services.AddSingleton<CockpitFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<CockpitFeed>());
        services.AddSingleton<BoardFeed>();

        // Every problem carries a reason, also those ASP.NET Core writes itself; a bad request that Kestrel
        // throws (a body over Http:MaxRequestBodyBytes) answers its own status, not 500.
        services.AddProblemDetails(o => o.CustomizeProblemDetails = problem =>
        {
            if (!problem.ProblemDetails.Extensions.ContainsKey("reason"))
            {
                var reason = Problems.ReasonOf(problem.ProblemDetails.Status ?? problem.HttpContext.Response.StatusCode);
                problem.ProblemDetails.Extensions["reason"] = reason;
                problem.ProblemDetails.Title = Problems.Title(reason);
            }
        });
        services.Configure<ExceptionHandlerOptions>(o =>
        {
            o.StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
            o.SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException; // the client's fault, not worth an error line
        });
        // Numbers are read as numbers only, decimals exactly: "30" or 1.0000000000000000000000000000001 is refused, not taken or rounded.
        services.ConfigureHttpJsonOptions(o => StrictJson.Harden(o.SerializerOptions));
        services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityScheme>());
        services.AddBrainHealthChecks();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("industry-brain", serviceInstanceId: identity.SiloName))
            .WithMetrics(metrics =>
            {
                // System.Runtime: the runtime's own meter (GC, heap, thread pool, JIT, exceptions; the process's CPU time
                // and working set) as dotnet_* series.
                metrics.AddMeter(IngestMetrics.MeterName, "Microsoft.Orleans", "System.Runtime")
                    .AddAspNetCoreInstrumentation()
                    .AddPrometheusExporter();
                if (tracing)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (tracing)
        {
            // OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_* variables) configure the exporter.
            telemetry.WithTracing(traces => traces
                .SetSampler(new BrainTracing.ChosenRootsSampler())
                .AddSource(BrainTracing.SourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>
    /// Production: membership, grain state and reminders through the official Orleans Redis providers,
    /// state as System.Text.Json under the same storage name as the embedded default. On Kubernetes the
    /// pod's name, IP and labels name the silo and its cluster.
    /// </summary>
    public static ISiloBuilder AddBrainCluster(this ISiloBuilder silo, ClusterIdentity identity, IConfiguration configuration)
    {
        var redis = ConfigurationOptions.Parse(identity.Redis);
        redis.AbortOnConnectFail = false;
        if (identity.OnKubernetes)
        {
            silo.UseKubernetesHosting();
        }
        else
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = identity.ServiceId;
                o.ClusterId = identity.ClusterId;
            });
            if (IPAddress.TryParse(identity.AdvertisedHost, out var advertised))
            {
                silo.ConfigureEndpoints(advertised, identity.SiloPort, identity.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            }
            else
            {
                silo.ConfigureEndpoints(identity.AdvertisedHost, identity.SiloPort, identity.GatewayPort, listenOnAnyHostAddress: true);
            }
        }

        silo.UseRedisClustering(o => o.ConfigurationOptions = redis.Clone());
        silo.AddRedisGrainStorage(StorageNames.Store, o =>
        {
            o.ConfigurationOptions = redis.Clone();
            o.GrainStorageSerializer = new StateJson();
        });
        silo.UseRedisReminderService(o => o.ConfigurationOptions = redis.Clone());
        silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Orleans:Membership"));
        return silo;
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
        services.AddOptions<RejectLogOptions>().Bind(configuration.GetSection("Rejects"))
            .Validate(o => o.PerEnterprise is > 0 and <= 100_000 && o.MaxEnterprises is >= 0 and <= 1_000_000,
                "Rejects:PerEnterprise must be between 1 and 100000, Rejects:MaxEnterprises between 0 and 1000000")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => DistrictCalendar.For(sp.GetRequiredService<IOptions<DistrictOptions>>().Value.TimeZone));
        services.AddSingleton<IValidateOptions<DistrictOptions>, DistrictOptionsValidation>();
        services.AddSingleton<ConfiguredChainMap>();
        services.AddSingleton<PrefixViews>();
        services.AddSingleton<StateJson>();
        services.AddSingleton<SqliteStore>();
        services.AddOptions<HistoryOptions>().Bind(configuration.GetSection("History"))
            .Validate(o => o.RetentionDays is > 0 and <= 36_500, "History:RetentionDays must be between 1 and 36500")
            .Validate(o => o.BatchSize > 0 && o.QueueCapacity > 0 && o.SpoolLimitMegabytes > 0 && o.PartitionsAhead >= 0 && o.StopWaitSeconds >= 0,
                "History:BatchSize, History:QueueCapacity and History:SpoolLimitMegabytes must be positive, History:PartitionsAhead and History:StopWaitSeconds not negative")
            .Validate(o => o.GatherMilliseconds is >= 0 and <= 10_000, "History:GatherMilliseconds must be between 0 and 10000")
            .Validate(o => o.YieldSeconds is >= 0 and <= 3_600, "History:YieldSeconds must be between 0 and 3600")
            .ValidateOnStart();
        services.AddSingleton<HistoryMetrics>();
        services.AddSingleton<HistoryArchive>();
        services.AddSingleton<IHistoryArchive>(sp => sp.GetRequiredService<HistoryArchive>());
        services.AddCodeNode(configuration);
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

    /// <summary>
    /// Gauges read at each scrape or export: readings waiting in this silo's ingest, and the district's
    /// active orders and terminals online as the cockpit feed last read them (the same on every silo:
    /// aggregate them with max, not sum).
    /// </summary>
    public static WebApplication MapBrainGauges(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<IngestMetrics>();
        var ingest = app.Services.GetRequiredService<IngestPipeline>();
        var feed = app.Services.GetRequiredService<CockpitFeed>();
        metrics.Gauge("ib.ingest.pending", "{reading}", "Readings taken from MQTT and not applied yet", () => ingest.Pending);
        metrics.Gauge("ib.orders.active", "{order}", "Active orders in the district", () => feed.LatestView?.ActiveOrders ?? 0);
        metrics.Gauge("ib.terminals.online", "{terminal}", "Terminals online in the district", () => feed.LatestView?.TerminalsOnline ?? 0);
        if (app.Services.GetService<EmbeddedBroker>() is { } broker)
        {
            metrics.Gauge("ib.mqtt.sessions", "{session}", "Sessions the embedded broker holds, connected or not", () => broker.Sessions);
            metrics.Gauge("ib.mqtt.connections", "{connection}", "Connections open to the embedded broker", () => broker.Connections);
        }
        var history = app.Services.GetRequiredService<HistoryMetrics>();
        var archive = app.Services.GetRequiredService<HistoryArchive>();
        var writer = app.Services.GetRequiredService<ArchiveWriter>();
        history.Gauge("ib.archive.queued", "{record}", "Records waiting for the history archive's database (in memory and spooled)", () => archive.Queued);
        history.Gauge("ib.archive.spool", "By", "Bytes in the history archive's spool on disk", () => archive.SpooledBytes);
        history.Gauge("ib.archive.lag", "s", "Age of the oldest record not yet in the history archive (0 when caught up)", () => writer.LagSeconds);
        return app;
    }

    /// <summary>The HTTP surface of docs/contract.md.</summary>
    public static WebApplication MapIndustryBrain(this WebApplication app)
    {
        // Where the state is, once, at start: a relative Storage:Path is relative to the folder the silo runs in.
        if (!app.Services.GetRequiredService<ClusterIdentity>().Clustered)
        {
            var store = Path.GetFullPath(app.Services.GetRequiredService<IOptions<StorageOptions>>().Value.Path);
            app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation("State is kept in {Folder}", store));
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCockpitPage();
        app.UseHeadAsGet();
        app.UseRouting(); // after HEAD reads GET, so HEAD finds the GET endpoints
        app.UseBrainSecurity();
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", o => o
            .WithTitle("IndustryBrain API")
            .DisableDefaultFonts()
            .AddPreferredSecuritySchemes([BearerSecurityScheme.Name]));
        app.MapBrainHealthChecks();
        app.MapPrometheusScrapingEndpoint();
        app.MapDashboard(app.Services.GetRequiredService<IOptions<DashboardSettings>>().Value);
        app.MapBrainGauges();
        app.MapEnterprises();
        app.MapLists();
        app.MapBundles();
        app.MapOperations();
        app.MapCockpit();
        app.MapSecurity();
        app.MapTerminalFleet();
        app.MapHistory();
        app.MapBoard();
        app.MapBoardPage();
        app.MapErp();
        app.MapCodeNode();
        return app;
    }
}

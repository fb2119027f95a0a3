using IndustryBrain.Domain;
using IndustryBrain.Silo.Api;
using IndustryBrain.Silo.Grains;
using IndustryBrain.Silo.Ingest;
using IndustryBrain.Silo.Mqtt;
using IndustryBrain.Silo.Storage;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddEnvironmentVariables("IB__");
builder.Configuration.AddCommandLine(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:8080");
}

builder.Services.AddOptions<MqttOptions>().Bind(builder.Configuration.GetSection("Mqtt"))
    .Validate(o => o.Port is > 0 and < 65536, "Mqtt:Port must be a TCP port")
    .Validate(o => o.Embedded || Uri.TryCreate(o.Broker, UriKind.Absolute, out _), "Mqtt:Broker must be empty or mqtt://host:port")
    .ValidateOnStart();
builder.Services.AddOptions<StorageOptions>().Bind(builder.Configuration.GetSection("Storage"))
    .Validate(o => !string.IsNullOrWhiteSpace(o.Path), "Storage:Path must name a folder")
    .ValidateOnStart();
builder.Services.AddOptions<DistrictOptions>().Bind(builder.Configuration.GetSection("District"))
    .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "District:TimeZone must be a known time zone")
    .ValidateOnStart();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp => DistrictCalendar.For(sp.GetRequiredService<IOptions<DistrictOptions>>().Value.TimeZone));
builder.Services.AddSingleton<StateJson>();
builder.Services.AddSingleton<SqliteStore>();
builder.Services.AddSingleton<IngestMetrics>();

// Stopped after Orleans (hosted services stop in reverse order), so a clean stop is marked only
// once every grain has saved its state.
builder.Services.AddSingleton<BrainEpoch>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<BrainEpoch>());

var siloPort = builder.Configuration.GetValue("Orleans:SiloPort", 11111);
var gatewayPort = builder.Configuration.GetValue("Orleans:GatewayPort", 30000);
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "industry-brain", clusterId: "embedded");
    silo.Services.AddGrainStorage(StorageNames.Store, (sp, name) =>
        new SqliteGrainStorage(name, sp.GetRequiredService<SqliteStore>(), sp.GetRequiredService<StateJson>()));
    silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(30));
});

// Started after Orleans, stopped before it: the broker stops taking, the ingest drains, then grains save.
builder.Services.AddSingleton<RejectSink>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<RejectSink>());
builder.Services.AddSingleton<IngestPipeline>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestPipeline>());
builder.Services.AddSingleton<EmbeddedBroker>();
builder.Services.AddSingleton<IBrainPublisher>(sp => sp.GetRequiredService<EmbeddedBroker>());
builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());

builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
    .AddMeter(IngestMetrics.MeterName)
    .AddPrometheusExporter());

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapOpenApi();
app.MapPrometheusScrapingEndpoint();
app.MapEnterprises();
app.MapOperations();
app.Run();

/// <summary>The contract's District:* keys.</summary>
public sealed class DistrictOptions
{
    public string TimeZone { get; set; } = "Asia/Shanghai";
}

public partial class Program;

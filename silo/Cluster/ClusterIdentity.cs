using System.Globalization;

namespace IndustryBrain.Silo.Cluster;

/// <summary>
/// Who this silo is and which cluster it belongs to, read once from configuration: the contract's
/// Cluster:Redis, Orleans:SiloPort and Orleans:GatewayPort, and the optional Orleans:ClusterId,
/// Orleans:ServiceId, Orleans:SiloName and Orleans:AdvertisedHost. On Kubernetes the pod's name and IP
/// (POD_NAME, POD_IP) stand in for the silo name and the advertised host, and ORLEANS_SERVICE_ID and
/// ORLEANS_CLUSTER_ID (as Microsoft.Orleans.Hosting.Kubernetes reads them) for the ids.
/// </summary>
public sealed class ClusterIdentity
{
    public const string DefaultServiceId = "industry-brain";

    /// <summary>A Redis connection string, or empty for the embedded default.</summary>
    public required string Redis { get; init; }

    public required string ServiceId { get; init; }

    public required string ClusterId { get; init; }

    /// <summary>Stable across restarts of the same silo: names its MQTT client id and its run flag.</summary>
    public required string SiloName { get; init; }

    /// <summary>The address other silos reach this one at.</summary>
    public required string AdvertisedHost { get; init; }

    public required int SiloPort { get; init; }

    public required int GatewayPort { get; init; }

    public bool OnKubernetes { get; init; }

    public bool Clustered => !string.IsNullOrWhiteSpace(Redis);

    public string RedisKey(string suffix) => string.Concat(ServiceId, "/", ClusterId, "/", suffix);

    public static ClusterIdentity From(IConfiguration configuration)
    {
        var siloPort = configuration.GetValue("Orleans:SiloPort", 11111);
        var podName = configuration["POD_NAME"];
        var onKubernetes = !string.IsNullOrEmpty(configuration["KUBERNETES_SERVICE_HOST"]) && !string.IsNullOrEmpty(podName);
        var clustered = !string.IsNullOrWhiteSpace(configuration["Cluster:Redis"]);
        return new ClusterIdentity
        {
            Redis = configuration["Cluster:Redis"] ?? "",
            ServiceId = Or(configuration["Orleans:ServiceId"], Or(configuration["ORLEANS_SERVICE_ID"], DefaultServiceId)),
            ClusterId = Or(configuration["Orleans:ClusterId"], Or(configuration["ORLEANS_CLUSTER_ID"], clustered ? "industry-brain" : "embedded")),
            SiloName = Or(configuration["Orleans:SiloName"], onKubernetes ? podName! : string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{siloPort}")),
            AdvertisedHost = Or(configuration["Orleans:AdvertisedHost"], onKubernetes ? configuration["POD_IP"] ?? "127.0.0.1" : "127.0.0.1"),
            SiloPort = siloPort,
            GatewayPort = configuration.GetValue("Orleans:GatewayPort", 30000),
            OnKubernetes = onKubernetes,
        };
    }

    private static string Or(string? value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;
}

using System.Net.Http.Json;
using System.Text.Json;
using IndustryBrain.Tests.Bundles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Xunit.Abstractions;

namespace IndustryBrain.Tests.Cluster;

/// <summary>A bundle's deadline is a Redis reminder: it fires on a surviving silo when the bundle's own silo is gone.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ClusterBundleTests(ClusterTopology cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task A_bundle_whose_silo_is_killed_before_its_deadline_still_closes_exactly_once()
    {
        var http = cluster.Http(1);
        await BundleApiTests.Register(http, "pool-a", 701);
        await BundleApiTests.Register(http, "pool-b", 702);
        var closesAt = DateTimeOffset.UtcNow.AddSeconds(35);
        var opened = await http.PutAsJsonAsync("/api/bundles/cluster-steel", BundleApiTests.SteelTerms(closesAt));
        Assert.True(opened.IsSuccessStatusCode, await opened.Content.ReadAsStringAsync());
        Assert.True((await http.PutAsJsonAsync("/api/bundles/cluster-steel/pledges/pool-a", new { quantity = 30 })).IsSuccessStatusCode);
        Assert.True((await http.PutAsJsonAsync("/api/bundles/cluster-steel/pledges/pool-b", new { quantity = 40 })).IsSuccessStatusCode);

        var host = await HostingSilo("cluster-steel");
        var survivor = host == 1 ? 2 : 1;
        await cluster.KillSilo(host);
        output.WriteLine($"bundle cluster-steel lived on silo-{host}; killed it {(closesAt - DateTimeOffset.UtcNow).TotalSeconds:F0} s before the deadline");
        try
        {
            // Watched without calling the bundle (a call after the deadline would close it by itself):
            // the participants hear the outcome only from the bundle's closing.
            JsonElement procurement = default;
            var closed = await Eventually.Holds(async () =>
            {
                var enterprise = await cluster.Http(survivor).GetFromJsonAsync<JsonElement>("/api/enterprises/pool-a");
                procurement = enterprise.GetProperty("procurement");
                return procurement.GetArrayLength() > 0;
            }, TimeSpan.FromSeconds(150));
            output.WriteLine($"closed {(DateTimeOffset.UtcNow - closesAt).TotalSeconds:F0} s after the deadline");
            Assert.True(closed, "the deadline reminder fired on a surviving silo");

            var bundle = await cluster.Http(survivor).GetFromJsonAsync<JsonElement>("/api/bundles/cluster-steel");
            Assert.Equal("closed", bundle.GetProperty("state").GetString());
            Assert.Equal(70, bundle.GetProperty("totalQuantity").GetDecimal());
            Assert.Equal(20600, bundle.GetProperty("unitPrice").GetDecimal());
            var closedAt = bundle.GetProperty("closedAt").GetDateTimeOffset();
            Assert.True(closedAt >= closesAt);
            foreach (var (enterprise, quantity) in new[] { ("pool-a", 30m), ("pool-b", 40m) })
            {
                var records = (await cluster.Http(survivor).GetFromJsonAsync<JsonElement>($"/api/enterprises/{enterprise}")).GetProperty("procurement");
                var record = Assert.Single(records.EnumerateArray());
                Assert.Equal("cluster-steel", record.GetProperty("bundle").GetString());
                Assert.Equal(quantity, record.GetProperty("quantity").GetDecimal());
                Assert.Equal(quantity * 400, record.GetProperty("savings").GetDecimal());
                Assert.Equal(closedAt, record.GetProperty("closedAt").GetDateTimeOffset()); // one closing, heard by all
            }

            // The bundle closed on one surviving silo, once (the killed silo's counters died with it).
            var closings = 0d;
            foreach (var silo in Enumerable.Range(1, ClusterTopology.Silos).Where(s => s != host))
            {
                closings += await cluster.Metric(silo, "ib_bundle_events_total", "kind=\"closed\"");
            }

            Assert.Equal(1, closings);
        }
        finally
        {
            await cluster.StartSilo(host);
        }
    }

    /// <summary>Which silo holds a bundle's activation, asked of the cluster through an Orleans client.</summary>
    private async Task<int> HostingSilo(string bundle)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client
            .UseRedisClustering($"127.0.0.1:{cluster.RedisPort}")
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = "industry-brain";
            }));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var address = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<IBundleGrain>(bundle));
            Assert.NotNull(address);
            return Array.IndexOf(cluster.SiloPorts, address.Endpoint.Port) + 1;
        }
        finally
        {
            await host.StopAsync();
        }
    }
}

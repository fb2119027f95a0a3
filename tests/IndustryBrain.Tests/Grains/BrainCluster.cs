using IndustryBrain.Silo.Hosting;
using Orleans.TestingHost;

namespace IndustryBrain.Tests.Grains;

/// <summary>
/// One in-process Orleans test cluster for all grain tests: the brain's grain services and its
/// SQLite grain storage in a temporary folder, exactly as the silo wires them.
/// </summary>
public sealed class BrainCluster : IAsyncLifetime
{
    public string StoragePath { get; } = Path.Combine(Path.GetTempPath(), "ib-grain-tests-" + Guid.NewGuid().ToString("N"));

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Properties["Storage:Path"] = StoragePath;
        builder.Properties["District:TimeZone"] = "Asia/Shanghai";
        builder.AddSiloBuilderConfigurator<BrainSilo>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Deactivates the grain (it saves on the way out), waits until it is gone and makes sure it is.</summary>
    public async Task Deactivate(IAddressable grain)
    {
        Assert.True(Cluster.TryGetGrainContext(grain.GetGrainId(), out _), "the grain should be active before it is deactivated");
        await Cluster.DeactivateAsync(grain);
        Assert.False(Cluster.TryGetGrainContext(grain.GetGrainId(), out _), "the grain should be gone after deactivation");
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(StoragePath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public sealed class BrainSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddBrainStorage();
            siloBuilder.Services.AddBrainGrainServices(siloBuilder.Configuration);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrainClusterCollection : ICollectionFixture<BrainCluster>
{
    public const string Name = "brain cluster";
}

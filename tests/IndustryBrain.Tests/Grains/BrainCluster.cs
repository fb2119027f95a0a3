using IndustryBrain.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace IndustryBrain.Tests.Grains;

/// <summary>
/// One in-process Orleans test cluster for all grain tests: the brain's grain services and its SQLite
/// grain storage in a temporary folder, exactly as the silo wires them, on a fake clock. Grains read the
/// time and run their timers (flushes, the district's tick) on <see cref="Clock"/>, which moves only when
/// a test calls <see cref="Advance"/>; Orleans' own background loops stay on real time. Tests in the
/// collection run one after another, so the clock only ever moves forward: a test reads <see cref="Now"/>
/// and works relative to it.
/// </summary>
public sealed class BrainCluster : IAsyncLifetime
{
    public string StoragePath { get; } = Path.Combine(Path.GetTempPath(), "ib-grain-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>The grains' clock; it starts at the real time, to the second.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public DateTimeOffset Now => Clock.GetUtcNow();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureHost(host => host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Path"] = StoragePath,
            ["District:TimeZone"] = "Asia/Shanghai",
        }));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddBrainStorage();
            silo.AddBrainReminders();
            silo.Services.AddBrainGrainServices(silo.Configuration);
            silo.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>
    /// Moves the grains' clock forward; timers that fall due run now. Advancing runs due timer callbacks
    /// inline, so it is done off the test's thread; grain turns they start are then awaited by the next call.
    /// </summary>
    public Task Advance(TimeSpan by) => Task.Run(() => Clock.Advance(by)).WaitAsync(TimeSpan.FromSeconds(60));

    /// <summary>
    /// Waits (in real time, bounded) until <paramref name="done"/> holds: for the one-way calls and grain turns
    /// that a timer started to finish. The grains' clock does not move meanwhile.
    /// </summary>
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not {what} within 30 s; last: {value}");
            }

            await Task.Delay(10);
        }
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
}

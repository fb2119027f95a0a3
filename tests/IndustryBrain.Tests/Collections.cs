using IndustryBrain.Tests.Cluster;
using IndustryBrain.Tests.Grains;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests;

// Every test collection of the suite, in one place. Tests of one collection run one after another and
// share its fixture; collections run in parallel with each other and with the classes in none.

/// <summary>One brain shared by the ingest test classes (they run one after another on it).</summary>
[CollectionDefinition(Name)]
public sealed class IngestSilo : ICollectionFixture<SharedBrain>
{
    public const string Name = "ingest silo";
}

/// <summary>One brain shared by the rejection and HTTP validation test classes.</summary>
[CollectionDefinition(Name)]
public sealed class ValidationSilo : ICollectionFixture<SharedBrain>
{
    public const string Name = "validation silo";
}

/// <summary>One brain shared by the first hour's list and CLI tests.</summary>
[CollectionDefinition(Name)]
public sealed class FirstHourSilo : ICollectionFixture<SharedBrain>
{
    public const string Name = "first hour silo";
}

/// <summary>One brain shared by the client's simulation and command-line tests.</summary>
[CollectionDefinition(Name)]
public sealed class ClientSilo : ICollectionFixture<SharedBrain>
{
    public const string Name = "client silo";
}

/// <summary>One PostgreSQL server shared by the history tests; each makes databases of its own.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}

/// <summary>One Orleans test cluster (InProcessTestClusterBuilder, fake clock) shared by the grain tests.</summary>
[CollectionDefinition(Name)]
public sealed class BrainClusterCollection : ICollectionFixture<BrainCluster>
{
    public const string Name = "brain cluster";
}

/// <summary>The production topology (Redis, Mosquitto, three silos) shared by the cluster tests.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterTopology>
{
    public const string Name = "cluster";
}

/// <summary>Tests that set IB_KEY run one at a time.</summary>
[CollectionDefinition(nameof(EnvironmentKey), DisableParallelization = true)]
public sealed class EnvironmentKey;

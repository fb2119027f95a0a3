using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.EndToEnd;

/// <summary>One silo process shared by the ingest test classes (they run one after another on it).</summary>
[CollectionDefinition(Name)]
public sealed class IngestSilo : ICollectionFixture<BrainProcess>
{
    public const string Name = "ingest silo";
}

/// <summary>One silo process shared by the rejection and HTTP validation test classes.</summary>
[CollectionDefinition(Name)]
public sealed class ValidationSilo : ICollectionFixture<BrainProcess>
{
    public const string Name = "validation silo";
}

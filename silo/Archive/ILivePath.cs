namespace IndustryBrain.Silo.Archive;

/// <summary>The live path as the archive's writer sees it: whether it has more work than it can do right now.</summary>
public interface ILivePath
{
    /// <summary>
    /// True while readings wait in numbers to be applied (the ingest flat out): the writer then stays behind and lets
    /// the live figures have the machine (History:YieldSeconds).
    /// </summary>
    bool Saturated { get; }
}

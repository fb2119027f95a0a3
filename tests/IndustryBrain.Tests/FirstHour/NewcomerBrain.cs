namespace IndustryBrain.Tests.FirstHour;

/// <summary>
/// The built silo as a newcomer runs it: its own logging defaults (no log switches), a fresh store, started
/// from a folder of its own. Only what a test must choose is set: loopback ports, the store, and the admin key
/// when one is given (otherwise the first start makes one). Ready once /health/ready answers.
/// </summary>
public static class NewcomerBrain
{
    public static BrainOptions Options(string? adminKey) => new()
    {
        Mode = BrainMode.ChildProcess,
        AdminKey = adminKey,
        Logging = [],
        WorkingDirectory = Path.GetTempPath(),
        ReadyPath = "/health/ready",
    };
}

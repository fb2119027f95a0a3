namespace IndustryBrain.Silo.Epoch;

/// <summary>A silo's run flag in the epoch store.</summary>
public enum SiloRun
{
    /// <summary>No flag: the silo never ran.</summary>
    Never,

    /// <summary>Started and not stopping: if it is gone, it crashed or was killed.</summary>
    Running,

    /// <summary>In a clean stop: leaving the cluster, its grains still saving.</summary>
    Stopping,

    /// <summary>Stopped with everything saved.</summary>
    Clean,
}

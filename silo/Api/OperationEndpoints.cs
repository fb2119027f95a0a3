using System.Runtime;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Archive;
using IndustryBrain.Silo.Cluster;
using IndustryBrain.Silo.Epoch;
using IndustryBrain.Silo.Hosting;
using IndustryBrain.Silo.Ingest;
using IndustryBrain.Silo.Mqtt;

namespace IndustryBrain.Silo.Api;

/// <summary>Health, the reject log and an administrator's full GC for the benchmark's memory figures.</summary>
public static class OperationEndpoints
{
    public static void MapOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/rejects", async (string? enterprise, int? limit, IGrainFactory grains) =>
        {
            if (enterprise is not null && Ids.Problem(enterprise, "enterprise") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            return Results.Ok(await grains.GetGrain<IRejectLogGrain>(Keys.District).Recent(enterprise, limit ?? 100));
        })
        .WithTags("Operations")
        .WithSummary("Recent rejected messages, newest first, optionally of one enterprise")
        .Produces<Rejection[]>();

        app.MapGet("/health", (IBrainPublisher broker, BrainEpoch epoch, IngestPipeline ingest, IngestMetrics metrics, ClusterIdentity identity,
            ArchiveWriter archiveWriter, HistoryArchive archive, HistoryMetrics historyMetrics, IHistoryStore historyStore, IServiceProvider services) =>
        {
            var external = services.GetService<BrokerConnection>();
            var members = services.GetService<IClusterMembershipService>()?.CurrentSnapshot.Members.Values;
            var body = new
            {
                status = broker.IsLive ? "up" : "broker-down",
                broker = broker.IsLive ? "live" : "down",
                brokerDownSince = external?.DownSince,
                brokerConnections = external?.Connections,
                brokerDrops = external?.DropsSeen,
                epoch = epoch.Epoch,
                epochRenewals = epoch.Renewals,
                silo = identity.SiloName,
                mode = identity.Clustered ? "cluster" : "embedded",
                siloActive = members?.Count(m => m.Status == SiloStatus.Active),
                memory = new { gcHeapBytes = GC.GetGCMemoryInfo().HeapSizeBytes, heapBytes = GC.GetTotalMemory(false), totalAllocatedBytes = GC.GetTotalAllocatedBytes(), workingSetBytes = Environment.WorkingSet },
                ingest = new { received = metrics.ReceivedTotal, applied = metrics.AppliedTotal, duplicates = metrics.DuplicateTotal, rejected = metrics.RejectedTotal, failed = metrics.FailedTotal, pending = ingest.Pending },
                // The archive never decides the status: the brain keeps ingesting while its database is away.
                history = new
                {
                    state = archiveWriter.State,
                    backend = historyStore.Backend,
                    reason = archiveWriter.Reason,
                    downSince = archiveWriter.DownSince,
                    queued = archive.Queued,
                    inMemory = archive.InMemory,
                    capacity = archive.Capacity,
                    spooledBytes = archive.SpooledBytes,
                    lagSeconds = Math.Round(archiveWriter.LagSeconds, 3),
                    yielding = archiveWriter.Yielding,
                    written = historyMetrics.WrittenTotal,
                    readingsWritten = historyMetrics.ReadingsWritten,
                    notArchived = historyMetrics.DroppedTotal,
                    errors = historyMetrics.ErrorsTotal,
                },
            };
            return broker.IsLive ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        })
        .WithTags("Operations")
        .WithSummary("200 when the silo is up and its broker connection is live");

        // Only an administrator reaches /debug (the access rule), and at most once in Debug:FullGcIntervalSeconds.
        // ?aggressive=true: then one more collection that gives the GC's free memory back to the system (its budgets
        // start small again), and what the process holds after it: what the live objects need, without the GC's reserve.
        app.MapPost("/debug/gc", (FullGcLimiter limiter, HttpContext context, bool? aggressive) =>
        {
            if (limiter.Wait() is { } wait)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problems.Of(StatusCodes.Status429TooManyRequests, "rate-limited", "a full collection ran moments ago; try again after Retry-After");
            }

            // The GC's tallies so far, before this endpoint's own collections change them.
            var allocatedBytes = GC.GetTotalAllocatedBytes(precise: true);
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            var pauseMs = GC.GetTotalPauseDuration().TotalMilliseconds;
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var liveBytes = GC.GetTotalMemory(forceFullCollection: true);
            var memory = GC.GetGCMemoryInfo();
            var workingSetBytes = Environment.WorkingSet;
            object? givenBack = null;
            if (aggressive == true)
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                givenBack = new { gcCommittedBytes = GC.GetGCMemoryInfo().TotalCommittedBytes, workingSetBytes = Environment.WorkingSet };
            }

            return Results.Ok(new
            {
                liveBytes,
                gcHeapBytes = memory.HeapSizeBytes,
                gcCommittedBytes = memory.TotalCommittedBytes,
                workingSetBytes,
                aggressive = givenBack,
                before = new { allocatedBytes, gen0, gen1, gen2, pauseMs },
                after = new
                {
                    allocatedBytes = GC.GetTotalAllocatedBytes(precise: true),
                    gen0 = GC.CollectionCount(0),
                    gen1 = GC.CollectionCount(1),
                    gen2 = GC.CollectionCount(2),
                    pauseMs = GC.GetTotalPauseDuration().TotalMilliseconds,
                },
            });
        })
        .WithTags("Operations")
        .WithSummary("Administrators only: a full blocking compacting GC, then the live heap and working set (for benchmarks)")
        .ExcludeFromDescription();
    }
}

namespace IndustryBrain.Tests.Infrastructure;

/// <summary>One throwaway PostgreSQL server (<see cref="PostgresServer"/>) for the run: the history tests' collection fixture.</summary>
public sealed class PostgresFixture : PostgresServer, IAsyncLifetime;

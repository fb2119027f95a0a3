using Microsoft.Extensions.Logging;

namespace IndustryBrain.Testing;

/// <summary>Every line a brain wrote, across restarts (its console output, or its log in process), and optionally a copy in a file.</summary>
public sealed class BrainLog : ILoggerProvider
{
    private readonly List<string> _lines = [];
    private readonly StreamWriter? _file;

    public BrainLog(string? file)
    {
        _file = file is null ? null : new StreamWriter(file, append: true) { AutoFlush = true };
    }

    public string[] Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Output => string.Join('\n', Lines);

    /// <summary>The last lines, for a failing test's message.</summary>
    public string Recent => string.Join('\n', Lines.TakeLast(200));

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
            _file?.WriteLine(line);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Writer(this, categoryName);

    public void Dispose()
    {
        lock (_lines)
        {
            _file?.Dispose();
        }
    }

    /// <summary>Writes in-process log entries as the console does: "warn: Category" then the message.</summary>
    private sealed class Writer(BrainLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var level = logLevel switch
            {
                LogLevel.Trace => "trce",
                LogLevel.Debug => "dbug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "fail",
                _ => "crit",
            };
            log.Add($"{level}: {category}[{eventId.Id}]");
            log.Add("      " + formatter(state, exception));
            if (exception is not null)
            {
                log.Add(exception.ToString());
            }
        }
    }
}

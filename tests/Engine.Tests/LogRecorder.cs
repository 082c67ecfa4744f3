using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Engine.Tests;

/// <summary>
/// A logger factory that keeps every entry (level, text, structured values), so a test can wait for
/// what a component reports on its own threads (a source's state changes, its retries) instead of
/// sleeping for a guessed time.
/// </summary>
public sealed class LogRecorder : ILoggerFactory, ILogger
{
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_entries)
                return [.. _entries];
        }
    }

    /// <summary>Blocks until <paramref name="condition"/> holds over the entries so far; fails the test after <paramref name="hangGuard"/>, far above any run's need.</summary>
    public IReadOnlyList<LogEntry> WaitUntil(Func<IReadOnlyList<LogEntry>, bool> condition, TimeSpan hangGuard, string what)
    {
        var clock = Stopwatch.StartNew();
        lock (_entries)
        {
            while (!condition(_entries))
            {
                var left = hangGuard - clock.Elapsed;
                if (left <= TimeSpan.Zero)
                    Assert.Fail($"no {what} within {hangGuard.TotalSeconds:0} s; log:\n{string.Join('\n', _entries.Select(e => $"{e.Level}: {e.Message}"))}");
                Monitor.Wait(_entries, left);
            }
            return [.. _entries];
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("a LogRecorder records itself");

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        var entry = new LogEntry(logLevel, formatter(state, exception), values.ToDictionary(v => v.Key, v => v.Value));
        lock (_entries)
        {
            _entries.Add(entry);
            Monitor.PulseAll(_entries);
        }
    }

    public void Dispose()
    {
    }
}

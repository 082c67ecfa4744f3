using Microsoft.Extensions.Logging;

namespace Engine.Tests;

/// <summary>One entry a <see cref="LogRecorder"/> kept: its level, formatted text and named values.</summary>
public sealed record LogEntry(LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values);

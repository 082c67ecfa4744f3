namespace Engine;

/// <summary>
/// The one exception type of the engine: every failure a user can act on (a bad file, a shape that
/// does not fit, a Vulkan call that failed, a shader that does not compile) surfaces as this type or
/// a subclass carrying the extra facts. The CLIs print <see cref="Exception.Message"/> as one line.
/// </summary>
public class EngineException : Exception
{
    public EngineException(string message) : base(message) { }

    public EngineException(string message, Exception inner) : base(message, inner) { }
}

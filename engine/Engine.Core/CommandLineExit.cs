namespace Engine;

/// <summary>
/// How every command-line program of the project ends on a failure a user can act on: one line
/// "error: ..." and exit code 2; the stack trace only when asked for.
/// </summary>
public static class CommandLineExit
{
    public const int Failure = 2;

    public static int Run(Func<int> run, Func<bool> verbose, TextWriter error)
    {
        try
        {
            return run();
        }
        catch (EngineException e)
        {
            error.WriteLine($"error: {e.Message}");
            if (verbose())
                error.WriteLine(e);
            return Failure;
        }
    }
}

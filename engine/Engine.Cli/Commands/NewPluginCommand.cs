using System.CommandLine;
using Engine.Cli.Authoring;

namespace Engine.Cli.Commands;

/// <summary>`engine new-plugin NAME [--output DIR]`: scaffolds a plugin folder that builds, tests and loads as it is.</summary>
internal static class NewPluginCommand
{
    private static readonly Argument<string> _name = new("NAME") { Description = "The plugin's C# name in PascalCase (e.g. MotionEnergy); its id is the kebab-case form (motion-energy)." };
    private static readonly Option<string?> _output = new("--output", "-o") { Description = "Folder to create (default: ./NAME); must not exist or be empty." };

    public static Command Create()
    {
        var command = new Command("new-plugin", "Create a plugin project: plugin.json, a GLSL head with its C# node, and a test project.");
        command.Arguments.Add(_name);
        command.Options.Add(_output);
        command.SetAction(result =>
        {
            var name = result.GetValue(_name)!;
            var directory = Path.GetFullPath(result.GetValue(_output) ?? name);
            var files = PluginScaffold.Create(name, directory);
            Console.WriteLine($"created plugin '{PluginScaffold.IdFor(name)}' in {directory} ({files.Count} files). Next:");
            Console.WriteLine($"  cd {directory}");
            Console.WriteLine("  dotnet build && dotnet test");
            Console.WriteLine("  engine plugins --plugin-path .");
            Console.WriteLine($"  engine live --source synthetic --plugin {PluginScaffold.IdFor(name)} --plugin-path . --watch-shaders");
            return 0;
        });
        return command;
    }
}

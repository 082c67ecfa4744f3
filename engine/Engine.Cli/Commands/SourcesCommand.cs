using System.CommandLine;
using Engine.Video;

namespace Engine.Cli.Commands;

/// <summary>`engine sources`: the cameras on this machine with their capture formats, and the other kinds of source.</summary>
internal static class SourcesCommand
{
    public static Command Create()
    {
        var command = new Command("sources", "List cameras and their formats, and the source syntax.");
        command.SetAction(_ =>
        {
            var devices = Cameras.Devices();
            if (devices.Count == 0)
                Console.WriteLine("cameras: none (tried /dev/video*)");
            foreach (var device in devices)
            {
                Console.WriteLine($"webcam:{device}");
                foreach (var format in Cameras.Formats(device))
                    Console.WriteLine($"    {format}");
            }
            Console.WriteLine();
            Console.WriteLine("sources: webcam (first camera), webcam:/dev/videoN [--size WxH --fps F --pixel-format mjpeg],");
            Console.WriteLine("         file:PATH [--loop] [--as-fast-as-possible], rtsp://..., http(s)://... (MJPEG, HLS), udp://...,");
            Console.WriteLine("         synthetic[:SEED] (the built-in scene with ground-truth actions: " + string.Join(", ", SceneActions.Labels) + ")");
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary>`engine devices`: every Vulkan device with the limits that shape the engine, and which one is selected.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        var command = new Command("devices", "List the Vulkan devices, their limits and features, and which one is selected.");
        command.SetAction(result =>
        {
            using var logging = CliOptions.Logging(result);
            using var instance = CliOptions.Instance(result, logging);
            var devices = instance.Devices();
            var selected = instance.Select(result.GetValue(CliOptions.Device));
            foreach (var d in devices)
            {
                var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("").AddColumn("");
                table.Title = new TableTitle($"[bold]{d.Index}: {Markup.Escape(d.Name)}[/]" + (d.Index == selected.Index ? " [green](selected)[/]" : ""));
                table.AddRow("type", d.TypeName);
                table.AddRow("driver", Markup.Escape($"{d.DriverName} {d.DriverInfo}".Trim()));
                table.AddRow("Vulkan API", d.ApiVersion);
                table.AddRow("vendor / device", $"0x{d.VendorId:x4} / 0x{d.DeviceId:x4}");
                table.AddRow("device UUID", d.DeviceUuid);
                table.AddRow("memory heaps", string.Join(", ", d.MemoryHeaps.Select(h => $"{Bytes(h.Size)}{(h.DeviceLocal ? " device-local" : "")}")));
                table.AddRow("unified memory", d.UnifiedMemory ? "yes (tensors mapped directly)" : "no (uploads through staging)");
                table.AddRow("subgroup size", d.SubgroupSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
                table.AddRow("max storage buffer range", Bytes(d.MaxStorageBufferRange));
                table.AddRow("max texel buffer elements", d.MaxTexelBufferElements.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
                table.AddRow("shared memory", Bytes(d.MaxComputeSharedMemory));
                table.AddRow("push constants", $"{d.MaxPushConstantsSize} bytes");
                table.AddRow("fp16 arithmetic / 16-bit storage", $"{YesNo(d.Float16)} / {YesNo(d.Storage16Bit)}");
                table.AddRow("fp16 weights (--precision fp16)", d.HalfTexelBuffers ? "yes (rgba16f texel buffers)" : "no");
                table.AddRow("int8", YesNo(d.Int8));
                AnsiConsole.Write(table);
            }
            return 0;
        });
        return command;
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    internal static string Bytes(ulong bytes) => bytes switch
    {
        >= 1ul << 30 => $"{bytes / (double)(1ul << 30):0.#} GiB",
        >= 1ul << 20 => $"{bytes / (double)(1ul << 20):0.#} MiB",
        >= 1ul << 10 => $"{bytes / (double)(1ul << 10):0.#} KiB",
        _ => $"{bytes} B",
    };
}

using System.IO.Compression;
using WeightConverter.Containers;
using WeightConverter.Dialects;
using WeightConverter.Package;

namespace Engine.Tests.Converter;

/// <summary>
/// A deterministic mutation fuzzer over small checkpoints of every container: truncations, bit flips,
/// corrupted length fields and swapped pickle opcodes (also inside a zip's data.pkl). Every case must
/// end in success or an <see cref="EngineException"/>, within a time limit and without an allocation
/// sized by a corrupt header.
/// </summary>
public sealed class ConverterFuzzTests
{
    // CI runs 10,000 cases from a fixed seed; CONVERTER_FUZZ_CASES and CONVERTER_FUZZ_SEED run longer or different campaigns.
    private static readonly int _cases = int.TryParse(Environment.GetEnvironmentVariable("CONVERTER_FUZZ_CASES"), out var n) ? n : 10_000;
    private static readonly int _seed = int.TryParse(Environment.GetEnvironmentVariable("CONVERTER_FUZZ_SEED"), out var s) ? s : 20261121;
    private const long AllocationLimit = 64L << 20;
    private static readonly TimeSpan _caseTimeout = TimeSpan.FromSeconds(20);

    private static readonly string[] _seeds =
    [
        "seed_zip.pth", "seed_legacy.pt", "seed_py2.pkl", "seed_p2.pkl", "seed_p5.pkl", "seed.safetensors",
        "numpy_p0.pkl", "numpy_p1.pkl", "numpy_p3.pkl", "numpy_p4.pkl", "numpy_py2.pkl", "dtypes.pth", "dtypes_legacy.pt",
        "big_endian.pth", "evil_eval.pkl", "view_ok.pth",
    ];

    // Every opcode of pickle protocols 0-5, so a swap produces a valid-looking but wrong instruction.
    private static readonly byte[] _opcodes = "(.012FIJKLMNPQRSTUVXabcdeghijlopqrstu}])GBC"u8.ToArray()
        .Concat(Enumerable.Range(0x80, 0x19).Select(b => (byte)b)).ToArray();

    private static readonly uint[] _lengths = [0, 1, 7, 8, 255, 256, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFF0];

    [Fact]
    public async Task Mutated_checkpoints_never_crash_hang_or_allocate_from_a_header()
    {
        var random = new Random(_seed);
        var seeds = _seeds.Select(s => (Name: s, Bytes: File.ReadAllBytes(ConverterFixtures.File(s)))).ToArray();
        var dir = Directory.CreateTempSubdirectory("converter-fuzz-").FullName;
        var failures = new List<string>();
        var errors = 0;
        try
        {
            for (var i = 0; i < _cases && failures.Count < 5; i++)
            {
                var (name, bytes) = seeds[i % seeds.Length];
                var kind = random.Next(5);
                var mutated = kind == 4 && name.EndsWith(".pth", StringComparison.Ordinal) ? MutateInnerPickle(bytes, random) : Mutate(bytes, kind, random);
                var path = Path.Combine(dir, $"case{i % 8}-{name}");
                File.WriteAllBytes(path, mutated);
                var run = Task.Run(() =>
                {
                    var before = GC.GetAllocatedBytesForCurrentThread();
                    var failed = false;
                    try
                    {
                        Exercise(path);
                    }
                    catch (EngineException e) when (e.Message.StartsWith(path, StringComparison.Ordinal))
                    {
                        failed = true;
                    }
                    return (Allocated: GC.GetAllocatedBytesForCurrentThread() - before, Failed: failed);
                });
                (long Allocated, bool Failed) result;
                try
                {
                    result = await run.WaitAsync(_caseTimeout);
                }
                catch (TimeoutException)
                {
                    failures.Add($"case {i} ({name}, mutation {kind}) did not finish in {_caseTimeout.TotalSeconds} s");
                    break;
                }
                catch (Exception e)
                {
                    failures.Add($"case {i} ({name}, mutation {kind}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                    File.Copy(path, Path.Combine(Path.GetTempPath(), $"fuzz-failure-{i}-{name}"), overwrite: true);
                    continue;
                }
                if (result.Allocated > AllocationLimit)
                    failures.Add($"case {i} ({name}, mutation {kind}) allocated {result.Allocated >> 20} MiB");
                errors += result.Failed ? 1 : 0;
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // Most mutations must be caught; a fuzzer whose cases all pass tests nothing.
        Assert.InRange(errors, _cases / 4, _cases);
    }

    private static void Exercise(string path)
    {
        using var checkpoint = CheckpointReader.Open(path);
        var (state, _) = DialectDetector.Unwrap(checkpoint);
        foreach (var (_, tensor) in state.Tensors)
            tensor.ReadFloats();
        var model = DialectDetector.Map(checkpoint, new ConvertOptions());
        PackageWriter.EnsureComplete(model);
    }

    private static byte[] Mutate(byte[] seed, int kind, Random random)
    {
        var bytes = (byte[])seed.Clone();
        switch (kind)
        {
            case 0:
                return bytes[..random.Next(bytes.Length)];
            case 1:
                for (var n = random.Next(1, 9); n > 0; n--)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 2:
                var at = random.Next(Math.Max(1, bytes.Length - 8));
                var value = random.Next(3) == 0 ? (uint)random.Next() : _lengths[random.Next(_lengths.Length)];
                BitConverter.TryWriteBytes(bytes.AsSpan(at, Math.Min(4, bytes.Length - at)), value);
                return bytes;
            default:
                for (var n = random.Next(1, 4); n > 0; n--)
                    bytes[random.Next(bytes.Length)] = _opcodes[random.Next(_opcodes.Length)];
                return bytes;
        }
    }

    /// <summary>Mutates the pickle inside a torch.save archive and re-zips it, so the zip stays valid and the unpickler sees the damage.</summary>
    private static byte[] MutateInnerPickle(byte[] archive, Random random)
    {
        using var input = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                using var source = entry.Open();
                using var copy = new MemoryStream();
                source.CopyTo(copy);
                var data = copy.ToArray();
                if (entry.FullName.EndsWith("data.pkl", StringComparison.Ordinal))
                    data = Mutate(data, random.Next(4), random);
                using var target = zip.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                target.Write(data);
            }
        }
        return output.ToArray();
    }
}

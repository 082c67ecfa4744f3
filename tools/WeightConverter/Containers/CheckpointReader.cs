using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using Engine;
using Engine.Files;
using WeightConverter.Pickle;

namespace WeightConverter.Containers;

/// <summary>
/// Opens any checkpoint container by its first bytes: a torch.save zip archive, the legacy pre-zip
/// torch.save stream, a plain pickle (numpy arrays from Python 2 or 3), or safetensors. No Python runs;
/// every size read from the file is checked against the file before it sizes anything.
/// </summary>
internal static class CheckpointReader
{
    private static readonly BigInteger _legacyMagic = BigInteger.Parse("119547037146038801333356", System.Globalization.CultureInfo.InvariantCulture);

    public static Checkpoint Open(string path)
    {
        FileInfo info;
        byte[] head = new byte[16];
        int headLength;
        try
        {
            info = new FileInfo(path);
            using var stream = File.OpenRead(path);
            headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"{path}: {e.Message}");
        }
        var h = head.AsSpan(0, headLength);
        if (h.Length == 0)
            throw new EngineException($"{path}: the file is empty.");
        if (h.StartsWith("PK\x03\x04"u8) || h.StartsWith("PK\x05\x06"u8))
            return OpenZip(path, info.Length);
        if (h.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']))
            throw new EngineException($"{path}: a PNG image, not a checkpoint.");
        if (h.Length >= 9 && h[8] == (byte)'{')
            return OpenSafeTensors(path, info.Length);
        if (h[0] == 0x80 || h[0] is (byte)'(' or (byte)'}' or (byte)']' or (byte)'c')
            return OpenPickle(path, info.Length);
        throw new EngineException($"{path}: not a checkpoint (first bytes {Convert.ToHexString(h[..Math.Min(8, h.Length)])} are neither a zip archive, a pickle nor safetensors).");
    }

    private static byte[] ReadAll(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"{path}: {e.Message}");
        }
    }

    private static Checkpoint OpenPickle(string path, long length)
    {
        var bytes = ReadAll(path);
        var first = new Unpickler(bytes, path);
        var root = first.Load();
        if (root is BigInteger magic && magic == _legacyMagic)
            return OpenLegacy(path, bytes, first.Position);
        return new Checkpoint(path, "pickle", root, length, null);
    }

    /// <summary>
    /// The pre-zip torch.save stream: magic, protocol version, sys info, the object pickle (storages as
    /// persistent ids), the list of storage keys, then each storage as an int64 element count and its bytes.
    /// </summary>
    private static Checkpoint OpenLegacy(string path, byte[] bytes, int position)
    {
        var memory = bytes.AsMemory();
        object? Next(string what)
        {
            var u = new Unpickler(memory[position..], $"{path} ({what})");
            var value = u.Load();
            position += u.Position;
            return value;
        }
        var protocol = Next("protocol version");
        if (protocol is not 1001L)
            throw new EngineException($"{path}: legacy torch.save protocol {protocol} is not supported (1001 is).");
        var sysInfo = Next("sys info") as PyDict;
        var bigEndian = sysInfo?["little_endian"] is false;
        var declared = new Dictionary<string, (ElementType Type, long Count)>();
        var located = new Dictionary<string, long>();
        object? Load(object? pid)
        {
            if (pid is not object?[] { Length: >= 5 } t || t[0] is not "storage" || t[1] is not PyGlobal g
                || ElementTypes.FromTorchStorage(g.Name) is not { } type || t[2] is not string key || t[4] is not long count || count < 0)
                throw new InvalidDataException($"persistent id {PickleGlobals.TypeName(pid)} is not a torch storage record");
            if (count > bytes.LongLength / type.Size())
                throw new InvalidDataException($"storage '{key}' declares {count} elements, more than the {bytes.LongLength}-byte file holds");
            if (declared.TryGetValue(key, out var prior) && prior != (type, count))
                throw new InvalidDataException($"storage '{key}' is declared as {prior.Count} {prior.Type.Name()} and as {count} {type.Name()} elements");
            declared[key] = (type, count);
            var root = new TensorStorage($"storage '{key}'", type, count, bigEndian, () => memory.Slice((int)located[key], (int)(count * type.Size())));
            if (t.Length >= 6 && t[5] is object?[] { Length: 3 } view && view[1] is long viewOffset && view[2] is long viewSize)
            {
                if (viewOffset < 0 || viewSize < 0 || viewOffset + viewSize > count)
                    throw new InvalidDataException($"storage view of '{key}' at {viewOffset} size {viewSize} is outside the storage of {count} elements");
                return new TensorStorage($"storage '{key}' view at {viewOffset}", type, viewSize, bigEndian, () => root.Load().Slice((int)(viewOffset * type.Size()), (int)(viewSize * type.Size())));
            }
            return root;
        }
        var main = new Unpickler(memory[position..], $"{path} (object pickle)", Load);
        var result = main.Load();
        position += main.Position;
        if (Next("storage keys") is not List<object?> keys)
            throw new EngineException($"{path}: legacy torch.save stream has no storage key list after the object pickle.");
        foreach (var k in keys)
        {
            if (k is not string key || !declared.TryGetValue(key, out var d))
                throw new EngineException($"{path}: offset {position}: storage key {k} was not declared by the object pickle.");
            if (bytes.Length - position < 8)
                throw new EngineException($"{path}: offset {position}: truncated before storage '{key}'.");
            var count = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position));
            if (count < 0 || count != d.Count || count * d.Type.Size() > bytes.Length - position - 8)
                throw new EngineException($"{path}: offset {position}: storage '{key}' holds {count} elements, the pickle declared {d.Count} and {bytes.Length - position - 8} bytes remain.");
            located[key] = position + 8;
            position += 8 + (int)(count * d.Type.Size());
        }
        var missing = declared.Keys.FirstOrDefault(k => !located.ContainsKey(k));
        if (missing is not null)
            throw new EngineException($"{path}: storage '{missing}' is missing from the end of the legacy stream.");
        return new Checkpoint(path, "torch.save legacy", result, bytes.Length, null);
    }

    private static Checkpoint OpenZip(string path, long length)
    {
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            throw new EngineException($"{path}: corrupt zip archive ({e.Message}).");
        }
        try
        {
            return ReadZip(path, length, archive);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            archive.Dispose();
            throw new EngineException($"{path}: corrupt zip archive ({e.Message}).");
        }
        catch
        {
            archive.Dispose();
            throw;
        }
    }

    private static Checkpoint ReadZip(string path, long length, ZipArchive archive)
    {
        var pickleEntry = archive.Entries.FirstOrDefault(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal))
            ?? throw new EngineException($"{path}: zip archive without a data.pkl entry, so not a torch.save checkpoint.");
        var prefix = pickleEntry.FullName[..^"data.pkl".Length];
        var byteOrder = archive.GetEntry(prefix + "byteorder") is { } orderEntry ? System.Text.Encoding.ASCII.GetString(ReadEntry(path, orderEntry, length, 16)) : "little";
        if (byteOrder is not ("little" or "big"))
            throw new EngineException($"{path}: {prefix}byteorder says '{byteOrder}', expected little or big.");
        var pickle = ReadEntry(path, pickleEntry, length, length);
        var storages = new Dictionary<string, TensorStorage>();
        object? Load(object? pid)
        {
            if (pid is not object?[] { Length: >= 5 } t || t[0] is not "storage" || t[1] is not PyGlobal g
                || ElementTypes.FromTorchStorage(g.Name) is not { } type || t[2] is not string key || t[4] is not long count || count < 0)
                throw new InvalidDataException($"persistent id {PickleGlobals.TypeName(pid)} is not a torch storage record");
            if (storages.TryGetValue(key, out var known))
                return known;
            var name = prefix + "data/" + key;
            var entry = archive.GetEntry(name) ?? throw new InvalidDataException($"storage entry {name} is missing from the archive");
            if (count > entry.Length / type.Size())
                throw new InvalidDataException($"storage {name} declares {count} {type.Name()} elements ({count * type.Size()} bytes) but the entry holds {entry.Length} bytes");
            var bytes = count * type.Size();
            var storage = new TensorStorage(name, type, count, byteOrder == "big", () => ReadEntry(path, entry, length, bytes));
            storages[key] = storage;
            return storage;
        }
        var root = new Unpickler(pickle, $"{path} ({pickleEntry.FullName})", Load).Load();
        return new Checkpoint(path, "torch.save zip", root, length, archive);
    }

    /// <summary>Reads the first <paramref name="limit"/> bytes of an entry, refusing entries that claim more than the file could hold.</summary>
    private static byte[] ReadEntry(string path, ZipArchiveEntry entry, long fileLength, long limit)
    {
        // torch.save stores entries uncompressed; a compressed one may expand, but not beyond reason.
        if (entry.Length < 0 || entry.Length > fileLength * 64 + 4096)
            throw new EngineException($"{path}: zip entry {entry.FullName} claims {entry.Length} bytes, impossible for a {fileLength}-byte file.");
        var count = Math.Min(entry.Length, limit);
        if (count > Array.MaxLength)
            throw new EngineException($"{path}: zip entry {entry.FullName} is {count} bytes, too large to read in one piece.");
        var buffer = new byte[count];
        try
        {
            using var stream = entry.Open();
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read < buffer.Length)
                throw new EngineException($"{path}: zip entry {entry.FullName} is truncated ({read} of {buffer.Length} bytes).");
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            throw new EngineException($"{path}: zip entry {entry.FullName} is corrupt ({e.Message}).");
        }
        return buffer;
    }

    private static Checkpoint OpenSafeTensors(string path, long length)
    {
        var file = SafeTensorsFile.Open(path);
        var root = new PyDict();
        try
        {
            foreach (var t in file.Tensors)
            {
                var type = ElementTypes.FromSafeTensors(t.DType) ?? throw new EngineException($"{path}: tensor '{t.Name}' has dtype {t.DType}, which the converter does not read.");
                var storage = new TensorStorage($"tensor '{t.Name}'", type, t.ElementCount, false, () => file.Bytes(t).ToArray());
                root.Set(t.Name, new CheckpointTensor(storage, 0, [.. t.Shape]));
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }
        return new Checkpoint(path, "safetensors", root, length, file) { Metadata = file.Metadata };
    }
}

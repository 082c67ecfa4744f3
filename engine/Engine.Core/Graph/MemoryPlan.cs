namespace Engine.Graph;

/// <summary>
/// Liveness-based placement of tensors in a few arenas. Each request has a byte size and a live range
/// of steps [First, Last] (inclusive); two requests may share bytes only when their ranges do not
/// overlap. Largest first, each at the lowest aligned offset free over its range, in the first arena
/// where it ends within <see cref="ArenaLimit"/>; a request larger than the limit gets an arena of its own.
/// </summary>
public sealed class MemoryPlan
{
    private readonly List<Slot> _slots = [];
    private readonly List<long> _arenaSizes = [];

    public MemoryPlan(IReadOnlyList<Request> requests, long alignment, long arenaLimit)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
            throw new EngineException($"Memory plan: alignment {alignment} must be a power of two.");
        Alignment = alignment;
        ArenaLimit = arenaLimit;
        var placed = new Slot[requests.Count];
        var order = Enumerable.Range(0, requests.Count).OrderByDescending(i => requests[i].Bytes).ThenBy(i => requests[i].First).ThenBy(i => i);
        foreach (var i in order)
        {
            var request = requests[i];
            if (request.Last < request.First)
                throw new EngineException($"Memory plan: request {i} lives from step {request.First} to {request.Last}.");
            var size = Align(Math.Max(request.Bytes, 1));
            Slot? slot = null;
            for (var arena = 0; arena < _arenaSizes.Count && slot is null; arena++)
            {
                var offset = LowestFreeOffset(arena, request, size);
                if (offset + size <= arenaLimit)
                    slot = new Slot(arena, offset, size, request);
            }
            if (slot is null)
            {
                _arenaSizes.Add(0);
                slot = new Slot(_arenaSizes.Count - 1, 0, size, request);
            }
            _arenaSizes[slot.Arena] = Math.Max(_arenaSizes[slot.Arena], slot.Offset + size);
            _slots.Add(slot);
            placed[i] = slot;
        }
        Placements = placed.Select(s => new Placement(s.Arena, s.Offset)).ToArray();
    }

    public long Alignment { get; }

    public long ArenaLimit { get; }

    /// <summary>Where each request went, in request order.</summary>
    public IReadOnlyList<Placement> Placements { get; }

    public IReadOnlyList<long> ArenaSizes => _arenaSizes;

    public long TotalBytes => _arenaSizes.Sum();

    /// <summary>The most bytes live at any one step: what perfect packing would need.</summary>
    public long PeakLiveBytes =>
        _slots.Count == 0 ? 0 : Enumerable.Range(_slots.Min(s => s.Request.First), _slots.Max(s => s.Request.Last) - _slots.Min(s => s.Request.First) + 1)
            .Max(step => _slots.Where(s => s.Request.First <= step && step <= s.Request.Last).Sum(s => s.Size));

    private long LowestFreeOffset(int arena, Request request, long size)
    {
        var busy = _slots.Where(s => s.Arena == arena && s.Request.First <= request.Last && request.First <= s.Request.Last)
            .OrderBy(s => s.Offset).ToList();
        long offset = 0;
        foreach (var s in busy)
        {
            if (offset + size <= s.Offset)
                break;
            offset = Math.Max(offset, s.Offset + s.Size);
        }
        return offset;
    }

    private long Align(long bytes) => (bytes + Alignment - 1) / Alignment * Alignment;

    /// <summary>A tensor to place: <paramref name="Bytes"/> live from step <paramref name="First"/> to <paramref name="Last"/>.</summary>
    public readonly record struct Request(long Bytes, int First, int Last);

    public readonly record struct Placement(int Arena, long Offset);

    private sealed record Slot(int Arena, long Offset, long Size, Request Request);
}

using Engine.Graph;

namespace Engine.Tests.Graph;

public sealed class MemoryPlanTests
{
    private static MemoryPlan.Request R(long bytes, int first, int last) => new(bytes, first, last);

    [Fact]
    public void Tensors_with_disjoint_lifetimes_share_bytes()
    {
        // A chain a -> b -> c -> d: a and c never live together, nor b and d.
        var plan = new MemoryPlan([R(1000, 0, 1), R(1000, 1, 2), R(1000, 2, 3), R(1000, 3, 4)], 64, 1 << 20);
        Assert.Single(plan.ArenaSizes);
        Assert.Equal(2048, plan.TotalBytes);
        Assert.Equal(2048, plan.PeakLiveBytes);
    }

    [Fact]
    public void Tensors_alive_together_never_overlap_and_offsets_are_aligned()
    {
        var random = new Random(5);
        var requests = Enumerable.Range(0, 60).Select(_ =>
        {
            var first = random.Next(0, 30);
            return R(random.Next(1, 5000), first, first + random.Next(0, 6));
        }).ToArray();
        var plan = new MemoryPlan(requests, 256, 1 << 14);
        for (var i = 0; i < requests.Length; i++)
        {
            var pi = plan.Placements[i];
            Assert.Equal(0, pi.Offset % 256);
            Assert.True(pi.Offset + requests[i].Bytes <= plan.ArenaSizes[pi.Arena]);
            for (var j = i + 1; j < requests.Length; j++)
            {
                var pj = plan.Placements[j];
                var together = requests[i].First <= requests[j].Last && requests[j].First <= requests[i].Last;
                var overlap = pi.Arena == pj.Arena && pi.Offset < pj.Offset + requests[j].Bytes && pj.Offset < pi.Offset + requests[i].Bytes;
                Assert.False(together && overlap, $"requests {i} and {j} are alive together and overlap");
            }
        }
        Assert.True(plan.TotalBytes < requests.Sum(r => (r.Bytes + 255) / 256 * 256), "aliasing saved nothing");
    }

    [Fact]
    public void Arena_limit_opens_more_arenas_and_a_larger_tensor_gets_its_own()
    {
        var plan = new MemoryPlan([R(600, 0, 5), R(600, 0, 5), R(5000, 0, 5)], 16, 1024);
        Assert.Equal(3, plan.ArenaSizes.Count);
        Assert.All(plan.ArenaSizes.Where(s => s != 5008 && s != 5000), s => Assert.True(s <= 1024));
    }
}

using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Dispatch grids of x column groups by many row tiles: the row tiles fill y up to the device's limit
/// and overflow into z (shaders read the tile index with row_tile() from tensor5.glsl).
/// </summary>
public static class RowGrid
{
    public static Groups Of(Device device, uint x, uint tiles)
    {
        var y = Math.Max(1, Math.Min(tiles, device.MaxGroupsY));
        return new Groups(x, y, Groups.Cover(tiles, y));
    }
}

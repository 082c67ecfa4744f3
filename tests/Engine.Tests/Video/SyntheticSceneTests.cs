using Engine.Video;

namespace Engine.Tests.Video;

public sealed class SyntheticSceneTests
{
    private static (double X, double Y, double Area) Actor(SyntheticScene scene, long frame)
    {
        var rgb = new byte[scene.Width * scene.Height * 3];
        scene.Render(frame, rgb);
        var e = scene.EventAt(frame);
        var (r, g, b) = ((byte)(e.Rgb >> 16), (byte)(e.Rgb >> 8), (byte)e.Rgb);
        double sx = 0, sy = 0, n = 0;
        for (var i = 0; i < scene.Width * scene.Height; i++)
        {
            if (rgb[i * 3] == r && rgb[i * 3 + 1] == g && rgb[i * 3 + 2] == b)
            {
                sx += i % scene.Width;
                sy += i / scene.Width;
                n++;
            }
        }
        return n == 0 ? (double.NaN, double.NaN, 0) : (sx / n, sy / n, n);
    }

    [Fact]
    public void Rendering_is_deterministic_for_a_seed_and_every_frame_has_a_label()
    {
        var a = SyntheticScene.Random(64, 48, seed: 3);
        var b = SyntheticScene.Random(64, 48, seed: 3);
        var fa = new byte[64 * 48 * 3];
        var fb = new byte[64 * 48 * 3];
        for (var f = 0; f < a.Length; f += 37)
        {
            a.Render(f, fa);
            b.Render(f, fb);
            Assert.Equal(fa, fb);
            Assert.Equal(a.EventAt(f), b.EventAt(f));
        }
        Assert.Equal(a.EventAt(5), a.EventAt(5 + a.Length));
    }

    [Theory]
    [InlineData(SceneAction.MovingLeft)]
    [InlineData(SceneAction.MovingRight)]
    [InlineData(SceneAction.MovingUp)]
    [InlineData(SceneAction.MovingDown)]
    [InlineData(SceneAction.Growing)]
    [InlineData(SceneAction.Shrinking)]
    public void The_actor_moves_and_scales_as_its_action_says(SceneAction action)
    {
        var scene = new SyntheticScene(160, 120, [new SceneEvent(0, 60, action, ShapeKind.Square, 0xE6194B, 0.5, 0.5, 0.25)]);
        var start = Actor(scene, 5);
        var end = Actor(scene, 55);
        var (dx, dy, growth) = (end.X - start.X, end.Y - start.Y, end.Area / start.Area);
        switch (action)
        {
            case SceneAction.MovingLeft: Assert.True(dx < -20, $"dx {dx}"); break;
            case SceneAction.MovingRight: Assert.True(dx > 20, $"dx {dx}"); break;
            case SceneAction.MovingUp: Assert.True(dy < -15, $"dy {dy}"); break;
            case SceneAction.MovingDown: Assert.True(dy > 15, $"dy {dy}"); break;
            case SceneAction.Growing: Assert.True(growth > 2, $"growth {growth}"); break;
            default: Assert.True(growth < 0.5, $"growth {growth}"); break;
        }
        Assert.Equal(action.Label(), SceneActions.Labels[(int)scene.EventAt(30).Action]);
    }

    [Fact]
    public void Appearing_raises_the_actor_opacity_and_rotation_turns_it_clockwise_on_screen()
    {
        var e = new SceneEvent(0, 60, SceneAction.Appearing, ShapeKind.Square, 0xFFFFFF, 0.5, 0.5, 0.25);
        Assert.True(SyntheticScene.Pose(e, 0.1).Opacity < SyntheticScene.Pose(e, 0.9).Opacity);
        var cw = e with { Action = SceneAction.RotatingClockwise };
        Assert.True(SyntheticScene.Pose(cw, 0.9).Angle > SyntheticScene.Pose(cw, 0.1).Angle);
    }

    [Fact]
    public void Detection_scenes_are_deterministic_for_a_seed_and_differ_between_seeds()
    {
        var a = SyntheticScene.DetectionScenes(1).Take(20).ToArray();
        var b = SyntheticScene.DetectionScenes(1).Take(20).ToArray();
        var c = SyntheticScene.DetectionScenes(2).Take(20).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a[0], c[0]);
        Assert.All(a, scene => Assert.InRange(scene.Count, 1, 5));
        Assert.All(a.SelectMany(o => o), o => Assert.InRange(o.Opacity, 0.7, 1.0));
    }

    [Fact]
    public void The_instance_map_marks_where_each_object_is_visible_with_later_objects_on_top_and_boxes_bound_it()
    {
        const int W = 80, H = 60;
        // Two opaque squares, the second overlapping the first's lower right corner.
        SceneObject[] objects =
        [
            new(ShapeKind.Square, 0xE6194B, 0.4, 0.4, 0.5, 0, 1.0),
            new(ShapeKind.Square, 0x3CB44B, 0.6, 0.6, 0.5, 0, 1.0),
        ];
        var (rgb, instances) = (new byte[W * H * 3], new byte[W * H]);
        var (background, none) = (new byte[W * H * 3], new byte[W * H]);
        SyntheticScene.RenderObjects(W, H, objects, rgb, instances);
        SyntheticScene.RenderObjects(W, H, [], background, none);
        Assert.All(none, v => Assert.Equal(0, v));
        var counts = new int[3];
        for (var p = 0; p < W * H; p++)
        {
            var k = instances[p];
            counts[k]++;
            var expected = k == 0 ? (background[p * 3], background[p * 3 + 1], background[p * 3 + 2])
                : ((byte)(objects[k - 1].Rgb >> 16), (byte)(objects[k - 1].Rgb >> 8), (byte)objects[k - 1].Rgb);
            Assert.Equal(expected, (rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2]));
        }
        // Squares of half-side 0.8 r = 0.8 * 0.25 * 60 = 12 px, centred at (32, 24) and (48, 36): the
        // second hides an 8 x 12 corner of the first.
        Assert.Equal((24 * 24 - 8 * 12, 24 * 24), (counts[1], counts[2]));

        var boxes = SyntheticScene.InstanceBoxes(instances, W, 2);
        Assert.Equal((20, 12, 44, 36), boxes[0]);
        Assert.Equal((36, 24, 60, 48), boxes[1]);
    }
}

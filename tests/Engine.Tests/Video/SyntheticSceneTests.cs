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
}

namespace Engine.Video;

/// <summary>
/// The built-in synthetic scene: a scripted timeline of shapes moving, rotating, growing, shrinking,
/// appearing and disappearing over a textured background, rendered to RGB24 with the ground-truth
/// action of every frame. Deterministic for a seed, so the demo, the tests and the training data of
/// the default model see the same definition of each action. The same shapes over the same background
/// also make the still detection scenes (<see cref="RandomObjects"/>, <see cref="RenderObjects"/>) the
/// demo detector is trained on, so it recognises the live scene's actor.
/// </summary>
public sealed class SyntheticScene
{
    private static readonly uint[] _palette = [0xE6194B, 0x3CB44B, 0xFFE119, 0x4363D8, 0xF58231, 0x911EB4, 0x46F0F0, 0xF032E6];

    private readonly SceneEvent[] _events;

    public SyntheticScene(int width, int height, IReadOnlyList<SceneEvent> events)
    {
        if (width < 16 || height < 16)
            throw new EngineException($"Synthetic scene {width}x{height}: frames must be at least 16x16.");
        Width = width;
        Height = height;
        _events = [.. events.OrderBy(e => e.Start)];
        if (_events.Length == 0)
            throw new EngineException("Synthetic scene: the timeline is empty.");
    }

    public int Width { get; }

    public int Height { get; }

    public IReadOnlyList<SceneEvent> Events => _events;

    /// <summary>Frames in one pass of the timeline (the scene loops after it).</summary>
    public int Length => _events[^1].End;

    /// <summary>A random timeline of <paramref name="count"/> actions, each 45-90 frames, one after another.</summary>
    public static SyntheticScene Random(int width, int height, int seed, int count = 64)
    {
        var random = new Random(seed);
        var events = new List<SceneEvent>();
        var start = 0;
        var actions = Enum.GetValues<SceneAction>();
        for (var i = 0; i < count; i++)
        {
            var action = actions[random.Next(actions.Length)];
            var shape = action is SceneAction.RotatingClockwise or SceneAction.RotatingCounterclockwise
                ? (random.Next(3) switch { 0 => ShapeKind.Square, 1 => ShapeKind.Triangle, _ => ShapeKind.Bar })
                : (ShapeKind)random.Next(4);
            var frames = 45 + random.Next(46);
            events.Add(new SceneEvent(start, frames, action, shape, _palette[random.Next(_palette.Length)],
                0.35 + random.NextDouble() * 0.3, 0.35 + random.NextDouble() * 0.3, 0.2 + random.NextDouble() * 0.15));
            start += frames;
        }
        return new SyntheticScene(width, height, events);
    }

    /// <summary>
    /// The first frame of one clip per action, as `engine synth` writes them: <paramref name="frames"/>
    /// samples every <paramref name="rate"/>-th frame, lying wholly inside the action, centred in it or,
    /// given <paramref name="placementSeed"/>, anywhere in it (uniformly, as the live host sees actions
    /// at any phase) from a random stream of its own, so placement never changes the timeline.
    /// </summary>
    public int[] ClipStarts(int frames, int rate, int? placementSeed = null)
    {
        var random = placementSeed is { } seed ? new Random(unchecked(seed * 7919 + 17)) : null;
        var span = (frames - 1) * rate + 1;
        return [.. _events.Select((e, i) =>
        {
            var slack = e.Frames - span;
            if (frames < 1 || rate < 1 || slack < 0)
                throw new EngineException($"Synthetic scene: a clip of {frames} frames every {rate}th frame does not fit in action {i} ({e.Frames} frames).");
            return e.Start + (random is null ? slack / 2 : random.Next(slack + 1));
        })];
    }

    /// <summary>The ground truth at frame <paramref name="frame"/> (the timeline loops).</summary>
    public SceneEvent EventAt(long frame)
    {
        var f = (int)(frame % Length);
        var lo = 0;
        var hi = _events.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (_events[mid].Start <= f)
                lo = mid;
            else
                hi = mid - 1;
        }
        return _events[lo];
    }

    /// <summary>Renders frame <paramref name="frame"/> as RGB24 into <paramref name="rgb"/> (Width * Height * 3 bytes).</summary>
    public void Render(long frame, Span<byte> rgb)
    {
        if (rgb.Length < Width * Height * 3)
            throw new EngineException($"Synthetic scene: {rgb.Length} bytes cannot hold a {Width}x{Height} RGB frame.");
        RenderBackground(Width, Height, rgb);
        DrawShape(Width, Height, rgb, [], 0, ActorAt(frame));
    }

    /// <summary>The shape drawn at frame <paramref name="frame"/>, where its action has put it.</summary>
    public SceneObject ActorAt(long frame)
    {
        var e = EventAt(frame);
        var t = (frame % Length - e.Start + 0.5) / e.Frames; // progress through the action, 0..1
        var (x, y, size, angle, opacity) = Pose(e, t);
        return new SceneObject(e.Shape, e.Rgb, x, y, size, angle, opacity);
    }

    /// <summary>
    /// <paramref name="count"/> shapes for a still detection scene: random kind, colour, place, size and
    /// angle (half a turn: a horizontal flip, which training adds, covers the other half), at least 70% opaque, placed so no two boxes overlap by more than a third of the smaller one
    /// (partly hidden objects, never wholly hidden ones). Sizes span the live scene's range.
    /// </summary>
    public static IReadOnlyList<SceneObject> RandomObjects(Random random, int count)
    {
        var objects = new List<SceneObject>();
        for (var attempt = 0; objects.Count < count && attempt < 50 * count; attempt++)
        {
            var size = 0.12 + random.NextDouble() * 0.33;
            var o = new SceneObject((ShapeKind)random.Next(4), _palette[random.Next(_palette.Length)],
                0.1 + random.NextDouble() * 0.8, 0.1 + random.NextDouble() * 0.8, size, random.NextDouble() * Math.PI, 0.7 + random.NextDouble() * 0.3);
            if (objects.All(p => Overlap(p, o) <= 1.0 / 3))
                objects.Add(o);
        }
        return objects;
    }

    /// <summary>
    /// The endless sequence of still detection scenes of a seed, 1-5 objects each: `engine synth
    /// --detection --seed S` writes its first N, and different seeds give the training and held-out splits.
    /// </summary>
    public static IEnumerable<IReadOnlyList<SceneObject>> DetectionScenes(int seed)
    {
        var random = new Random(seed);
        while (true)
            yield return RandomObjects(random, 1 + random.Next(5));
    }

    /// <summary>
    /// Renders a still scene of <paramref name="objects"/> (later ones on top) as RGB24 into
    /// <paramref name="rgb"/> and, into <paramref name="instances"/> (width * height bytes), the index + 1
    /// of the object visible at each pixel (0 = background): the instance masks after occlusion.
    /// </summary>
    public static void RenderObjects(int width, int height, IReadOnlyList<SceneObject> objects, Span<byte> rgb, Span<byte> instances)
    {
        if (rgb.Length < width * height * 3 || instances.Length < width * height)
            throw new EngineException($"Synthetic scene: buffers of {rgb.Length} and {instances.Length} bytes cannot hold a {width}x{height} RGB frame and its instance map.");
        if (objects.Count > 255)
            throw new EngineException($"Synthetic scene: {objects.Count} objects do not fit a byte instance map (at most 255).");
        RenderBackground(width, height, rgb);
        instances[..(width * height)].Clear();
        for (var i = 0; i < objects.Count; i++)
            DrawShape(width, height, rgb, instances, (byte)(i + 1), objects[i]);
    }

    /// <summary>
    /// The tight pixel-edge box (x1, y1, x2, y2; x2, y2 exclusive) of each of <paramref name="count"/>
    /// objects in an instance map of <see cref="RenderObjects"/>, null for an object left with no
    /// visible pixel.
    /// </summary>
    public static (int X1, int Y1, int X2, int Y2)?[] InstanceBoxes(ReadOnlySpan<byte> instances, int width, int count)
    {
        var boxes = new (int X1, int Y1, int X2, int Y2)?[count];
        for (var p = 0; p < instances.Length; p++)
        {
            var k = instances[p] - 1;
            if (k < 0 || k >= count)
                continue;
            var (x, y) = (p % width, p / width);
            boxes[k] = boxes[k] is { } b ? (Math.Min(b.X1, x), Math.Min(b.Y1, y), Math.Max(b.X2, x + 1), Math.Max(b.Y2, y + 1)) : (x, y, x + 1, y + 1);
        }
        return boxes;
    }

    // Overlap of two shapes' bounding squares as a fraction of the smaller one (frame-relative units, aspect ignored).
    private static double Overlap(SceneObject a, SceneObject b)
    {
        var (ra, rb) = (a.Size * 0.75, b.Size * 0.75);
        var w = Math.Min(a.X + ra, b.X + rb) - Math.Max(a.X - ra, b.X - rb);
        var h = Math.Min(a.Y + ra, b.Y + rb) - Math.Max(a.Y - ra, b.Y - rb);
        return w <= 0 || h <= 0 ? 0 : w * h / (4 * Math.Min(ra * ra, rb * rb));
    }

    // A fixed checker texture keeps the background from being flat (a network must ignore it).
    private static void RenderBackground(int width, int height, Span<byte> rgb)
    {
        for (var row = 0; row < height; row++)
        {
            var line = rgb.Slice(row * width * 3, width * 3);
            for (var col = 0; col < width; col++)
            {
                var checker = ((row / 16) + (col / 16)) % 2 == 0 ? 8 : 0;
                line[col * 3] = (byte)(24 + checker);
                line[col * 3 + 1] = (byte)(28 + checker + row * 32 / height);
                line[col * 3 + 2] = (byte)(40 + checker + col * 24 / width);
            }
        }
    }

    /// <summary>Where the actor is at progress <paramref name="t"/> of its action: the one definition of every action.</summary>
    public static (double X, double Y, double Size, double Angle, double Opacity) Pose(SceneEvent e, double t)
    {
        const double travel = 0.3; // fraction of the frame crossed by a move
        var (x, y, size, angle, opacity) = (e.X, e.Y, e.Size, 0.25, 1.0);
        switch (e.Action)
        {
            case SceneAction.MovingLeft: x += travel * (0.5 - t); break;
            case SceneAction.MovingRight: x -= travel * (0.5 - t); break;
            case SceneAction.MovingUp: y += travel * (0.5 - t); break;
            case SceneAction.MovingDown: y -= travel * (0.5 - t); break;
            case SceneAction.RotatingClockwise: angle += t * Math.PI; break;
            case SceneAction.RotatingCounterclockwise: angle -= t * Math.PI; break;
            case SceneAction.Growing: size *= 0.4 + 0.9 * t; break;
            case SceneAction.Shrinking: size *= 1.3 - 0.9 * t; break;
            case SceneAction.Appearing: opacity = t; break;
            case SceneAction.Disappearing: opacity = 1 - t; break;
        }
        return (x, y, size, angle, opacity);
    }

    // Writes id into instances (when given) wherever the shape covers a pixel.
    private static void DrawShape(int width, int height, Span<byte> rgb, Span<byte> instances, byte id, SceneObject o)
    {
        var (cx, cy, r, opacity) = (o.X * width, o.Y * height, o.Size * height / 2, o.Opacity);
        // Image y grows downwards, so a positive angle turns the shape clockwise on screen.
        var (sin, cos) = Math.SinCos(o.Angle);
        var reach = r * 1.5;
        var x0 = Math.Max(0, (int)(cx - reach));
        var x1 = Math.Min(width - 1, (int)(cx + reach) + 1);
        var y0 = Math.Max(0, (int)(cy - reach));
        var y1 = Math.Min(height - 1, (int)(cy + reach) + 1);
        var colour = o.Rgb;
        var (cr, cg, cb) = ((int)(colour >> 16) & 0xFF, (int)(colour >> 8) & 0xFF, (int)colour & 0xFF);
        for (var py = y0; py <= y1; py++)
        {
            for (var px = x0; px <= x1; px++)
            {
                var dx = px + 0.5 - cx;
                var dy = py + 0.5 - cy;
                // Into the shape's own frame: rotate by -angle.
                var u = cos * dx + sin * dy;
                var v = -sin * dx + cos * dy;
                var inside = o.Shape switch
                {
                    ShapeKind.Square => Math.Abs(u) <= r * 0.8 && Math.Abs(v) <= r * 0.8,
                    ShapeKind.Triangle => v <= r * 0.8 && v >= -r && Math.Abs(u) <= (v + r) * 0.6,
                    ShapeKind.Circle => u * u + v * v <= r * r,
                    _ => Math.Abs(u) <= r * 1.2 && Math.Abs(v) <= r * 0.3,
                };
                if (!inside)
                    continue;
                var i = (py * width + px) * 3;
                rgb[i] = (byte)(rgb[i] + (cr - rgb[i]) * opacity);
                rgb[i + 1] = (byte)(rgb[i + 1] + (cg - rgb[i + 1]) * opacity);
                rgb[i + 2] = (byte)(rgb[i + 2] + (cb - rgb[i + 2]) * opacity);
                if (!instances.IsEmpty)
                    instances[py * width + px] = id;
            }
        }
    }
}

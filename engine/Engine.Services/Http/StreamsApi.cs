using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Engine.Host;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Engine.Services.Http;

/// <summary>The `/api/streams` routes: the streams' figures, each stream's view, and its plugins' parameters.</summary>
internal sealed class StreamsApi(ILiveHostView view)
{
    /// <summary>A parameters body is a few names and values; anything larger is refused before it is read.</summary>
    private const long MaxBodyBytes = 64 * 1024;

    private readonly ViewEncoder _views = new(view);

    public Task Streams(HttpContext context) =>
        Json(context, StatusCodes.Status200OK, w => StreamsJson.WriteStreams(w, view.Streams()));

    /// <summary>
    /// The stream's latest view as PNG, its frame number as ETag: a page that sends the ETag back
    /// (If-None-Match) gets 304 until a newer frame exists, and 204 before the first frame.
    /// </summary>
    public async Task View(HttpContext context)
    {
        if (Find(context) is not { } stream)
        {
            await Error(context, StatusCodes.Status404NotFound, $"no stream '{RouteStream(context)}'");
            return;
        }
        context.Response.Headers.CacheControl = "no-cache";
        if (_views.Latest(stream.Id) is not { } encoded)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        var etag = $"\"{encoded.Frame}\"";
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch == etag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.ContentType = "image/png";
        context.Response.ContentLength = encoded.Png.Length;
        await context.Response.Body.WriteAsync(encoded.Png, context.RequestAborted);
    }

    public async Task GetParameters(HttpContext context)
    {
        if (await FindPlugin(context) is var (stream, plugin))
            await Json(context, StatusCodes.Status200OK, w => StreamsJson.WriteParameters(w, stream, plugin));
    }

    /// <summary>
    /// Changes parameters live: 202 once every value passed its spec and was handed to the host,
    /// which applies them at the stream's next frame boundary; 400 with the reason otherwise.
    /// </summary>
    public async Task PutParameters(HttpContext context)
    {
        if (await FindPlugin(context) is not var (stream, plugin))
            return;
        if (!context.Request.HasJsonContentType())
        {
            await Error(context, StatusCodes.Status415UnsupportedMediaType, "the body must be application/json");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBodyBytes;
        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            await Error(context, StatusCodes.Status400BadRequest, $"malformed JSON: {e.Message}");
            return;
        }
        catch (BadHttpRequestException e)
        {
            await Error(context, e.StatusCode, e.Message);
            return;
        }
        using (body)
        {
            if (ParameterChanges.Read(body.RootElement, plugin, out var changes) is { } refused)
            {
                await Error(context, StatusCodes.Status400BadRequest, refused);
                return;
            }
            foreach (var (name, text) in changes)
            {
                if (view.SetParameter(stream.Id, plugin.Id, name, text) is { } reason)
                {
                    await Error(context, StatusCodes.Status400BadRequest, reason);
                    return;
                }
            }
        }
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private async Task<(StreamStatus, StreamPluginStatus)?> FindPlugin(HttpContext context)
    {
        if (Find(context) is not { } stream)
        {
            await Error(context, StatusCodes.Status404NotFound, $"no stream '{RouteStream(context)}'");
            return null;
        }
        var id = (string)context.Request.RouteValues["plugin"]!;
        if (stream.Plugins.FirstOrDefault(p => p.Id == id) is not { } plugin)
        {
            await Error(context, StatusCodes.Status404NotFound, $"stream '{stream.Id}' has no plugin '{id}'");
            return null;
        }
        return (stream, plugin);
    }

    /// <summary>
    /// The route's stream. Ids are source texts by default (`rtsp://cam/1`), so a client escapes
    /// them; Kestrel unescapes every sequence of a path but %2F (to keep segments apart), so an id
    /// that matches nothing as it is is tried again with %2F read as '/'.
    /// </summary>
    private StreamStatus? Find(HttpContext context)
    {
        var id = RouteStream(context);
        var streams = view.Streams();
        return streams.FirstOrDefault(s => s.Id == id)
            ?? streams.FirstOrDefault(s => s.Id == id.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase));
    }

    private static string RouteStream(HttpContext context) => (string)context.Request.RouteValues["id"]!;

    private static Task Error(HttpContext context, int status, string message) =>
        Json(context, status, w => StreamsJson.WriteError(w, message));

    private static async Task Json(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        // The default encoder escapes HTML-sensitive characters (' as \u0027), which only matters
        // when JSON is pasted into a page; these answers are application/json, read by curl and scripts.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(writer);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}

using Microsoft.AspNetCore.Http;

namespace Engine.Services.Http;

/// <summary>
/// The dashboard's two static files, embedded in the assembly (no CDN, no build step). The script is
/// a file of its own so the page's Content-Security-Policy can allow scripts from this server only;
/// the script builds the page with textContent, never markup, since stream ids and labels are data.
/// </summary>
internal sealed class Dashboard
{
    private const string Policy = "default-src 'none'; script-src 'self'; connect-src 'self'; img-src blob:; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

    private readonly byte[] _page = Resource("Dashboard.html");
    private readonly byte[] _script = Resource("Dashboard.js");

    public Task Page(HttpContext context) => Send(context, _page, "text/html; charset=utf-8");

    public Task Script(HttpContext context) => Send(context, _script, "text/javascript; charset=utf-8");

    private static async Task Send(HttpContext context, byte[] content, string type)
    {
        context.Response.ContentType = type;
        context.Response.Headers.ContentSecurityPolicy = Policy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.ContentLength = content.Length;
        await context.Response.Body.WriteAsync(content, context.RequestAborted);
    }

    private static byte[] Resource(string name)
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream($"Engine.Services.Http.{name}")
            ?? throw new InvalidOperationException($"embedded resource Engine.Services.Http.{name} is missing from the build");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}

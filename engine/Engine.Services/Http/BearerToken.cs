using System.Security.Cryptography;
using System.Text;

namespace Engine.Services.Http;

/// <summary>
/// Checks `Authorization: Bearer TOKEN` headers. Both sides are hashed (SHA-256) and the hashes
/// compared in constant time, so neither the token's characters nor its length leak through timing.
/// </summary>
internal sealed class BearerToken
{
    private readonly byte[] _hash;

    public BearerToken(string token) => _hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public bool Accepts(string? authorization)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            return false;
        var offered = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(offered, _hash);
    }
}

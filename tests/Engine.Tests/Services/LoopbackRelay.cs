using System.Net;
using System.Net.Sockets;

namespace Engine.Tests.Services;

/// <summary>
/// A TCP relay on a free loopback port to a broker. A test puts it between a publisher and the broker
/// to cut the publisher's connection as a dead network does (both sockets reset, no MQTT DISCONNECT)
/// and to hold its reconnects back until the test's own subscriber is in place.
/// </summary>
public sealed class LoopbackRelay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly List<Socket> _open = [];
    private readonly Task _accepting;
    private volatile bool _passing = true;

    public LoopbackRelay(int target)
    {
        _target = target;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Whether new connections reach the broker; while false each is reset as soon as it is accepted.</summary>
    public bool Passing
    {
        get => _passing;
        set => _passing = value;
    }

    /// <summary>Resets every relayed connection, both sides.</summary>
    public void Sever()
    {
        lock (_open)
        {
            foreach (var socket in _open)
                socket.Close(0);
            _open.Clear();
        }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket inbound;
            try
            {
                inbound = await _listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // the listener was stopped by Dispose
            }
            if (!_passing)
            {
                inbound.Close(0);
                continue;
            }
            var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _target);
            }
            catch (SocketException)
            {
                inbound.Close(0);
                outbound.Dispose();
                continue;
            }
            lock (_open)
                _open.AddRange([inbound, outbound]);
            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    /// <summary>Copies one direction until either side ends, then resets both: a broker that dies takes its relayed publishers down with it.</summary>
    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16384];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0)
                await to.SendAsync(buffer.AsMemory(0, read));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The other direction, Sever or Dispose closed a socket: the relay's normal end.
        }
        from.Close(0);
        to.Close(0);
    }

    public void Dispose()
    {
        _listener.Stop();
        _accepting.Wait();
        Sever();
    }
}

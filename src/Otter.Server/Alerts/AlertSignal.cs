namespace Otter.Server.Alerts;

/// <summary>
/// Wakes <see cref="AlertDispatcher"/> when an alert is raised, so that a high-priority alert goes
/// out at once rather than at the dispatcher's next poll. Signals coalesce: one pending wake-up.
/// </summary>
internal sealed class AlertSignal : IDisposable
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Notify()
    {
        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the dispatcher will look once, and see every alert raised so far.
        }
    }

    /// <summary>Waits for a signal or <paramref name="timeout"/> (on <paramref name="time"/>), whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signalled = _pending.WaitAsync(stop.Token);
        var delay = Task.Delay(timeout, time, stop.Token);
        await Task.WhenAny(signalled, delay);
        await stop.CancelAsync();
        await Task.WhenAll(signalled, delay).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }

    public void Dispose() => _pending.Dispose();
}

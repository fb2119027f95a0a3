namespace IndustryBrain.Silo.Epoch;

/// <summary>
/// Decides whether a silo's (re)connection to the external broker may have left terminals' messages
/// undelivered, so that a new epoch must ask the terminals to resend their latest readings.
/// <para>
/// The broker's "session present" is not proof that nothing was missed: Mosquitto 2.0 does not persist
/// shared subscriptions (its persistence writes a session's plain subscriptions only), so after a broker
/// restart a silo's session comes back without its <c>$share/...</c> subscription, and whatever terminals
/// publish before the silo subscribes again is answered "no matching subscribers" and dropped. With
/// persistence off the broker forgets the sessions as well. So every gap in the silos' subscription is
/// answered with an epoch, once per gap for the whole cluster:
/// </para>
/// <list type="bullet">
/// <item>a reconnection after a lost connection: the gap began when the connection was lost;</item>
/// <item>a first connection while no other silo is active: the brain was offline, and the broker may
/// have restarted meanwhile.</item>
/// </list>
/// A silo joining a running cluster opens no gap: the others were subscribed all along.
/// The gap is named by the epoch in force when it began, so every silo that saw the same gap asks for the
/// same renewal and the epoch store grants it once; no wall clock is compared, so a stepped clock cannot
/// suppress it.
/// </summary>
public static class SubscriptionGap
{
    /// <summary>
    /// The event to renew the epoch for (the epoch store's "once" key), or null when nothing can have been missed.
    /// </summary>
    /// <param name="firstConnection">This is the silo's first connection since it started.</param>
    /// <param name="otherSilosActive">Another silo of the cluster is active (subscribed) now.</param>
    /// <param name="epochWhenGapBegan">The epoch this silo knew when the connection was lost, or when it started.</param>
    public static string? RenewalFor(bool firstConnection, bool otherSilosActive, string epochWhenGapBegan)
    {
        if (firstConnection)
        {
            return otherSilosActive ? null : "brain-offline:" + epochWhenGapBegan;
        }

        return "broker-gap:" + epochWhenGapBegan;
    }
}

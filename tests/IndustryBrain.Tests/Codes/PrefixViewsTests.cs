using IndustryBrain.Contracts;
using IndustryBrain.Silo.Codes;
using Microsoft.Extensions.Time.Testing;

namespace IndustryBrain.Tests.Codes;

/// <summary>The moment for which a silo's resolutions reuse an issued prefix's state.</summary>
public sealed class PrefixViewsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);

    private static PrefixView View(string state) => new("88.118.5.7", "qiaofeng", state, null, Noon, Noon, 1, 18_225);

    [Fact]
    public void An_issued_prefix_is_kept_for_a_moment_and_then_read_again()
    {
        var time = new FakeTimeProvider(Noon);
        var views = new PrefixViews(time);
        views.Keep("88.118.5.7", View(PrefixStates.Approved));

        Assert.Equal(PrefixStates.Approved, views.Kept("88.118.5.7")?.State);
        time.Advance(PrefixViews.KeepFor - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(views.Kept("88.118.5.7"));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(views.Kept("88.118.5.7"));

        views.Keep("88.118.5.7", View(PrefixStates.Suspended));
        Assert.Equal(PrefixStates.Suspended, views.Kept("88.118.5.7")?.State);
    }

    [Fact]
    public void Prefixes_not_issued_are_never_kept_and_a_change_forgets_one_at_once()
    {
        var views = new PrefixViews(new FakeTimeProvider(Noon));
        views.Keep("88.118.5.1", null);
        views.Keep("88.118.5.2", View(PrefixStates.Applied));
        views.Keep("88.118.5.3", View(PrefixStates.Refused));
        Assert.Null(views.Kept("88.118.5.1"));
        Assert.Null(views.Kept("88.118.5.2"));
        Assert.Null(views.Kept("88.118.5.3"));

        views.Keep("88.118.5.7", View(PrefixStates.Approved));
        views.Forget("88.118.5.7");
        Assert.Null(views.Kept("88.118.5.7"));
    }
}

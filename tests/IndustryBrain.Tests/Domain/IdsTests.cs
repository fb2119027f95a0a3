using System.Text;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Domain;

public sealed class IdsTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("QF-2611-0042")]
    [InlineData("rough_grind.v2")]
    [InlineData("0")]
    [InlineData("...")]
    [InlineData("A-Za-z0-9._-")]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public void An_id_of_1_to_64_contract_characters_is_valid(string id)
    {
        Assert.True(Ids.IsValid(id));
        Assert.True(Ids.IsValid(Encoding.UTF8.GetBytes(id)));
        Assert.Null(Ids.Problem(id, "order"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("QF 2611")]
    [InlineData("a/b")]
    [InlineData("a+b")]
    [InlineData("a#b")]
    [InlineData("a$b")]
    [InlineData("巧锋")]
    [InlineData("café")]
    [InlineData("tab\there")]
    [InlineData("a\0")]
    public void Anything_else_is_invalid(string id)
    {
        Assert.False(Ids.IsValid(id));
        Assert.False(Ids.IsValid(Encoding.UTF8.GetBytes(id)));
        Assert.NotNull(Ids.Problem(id, "order"));
    }

    [Fact]
    public void Non_ascii_utf8_bytes_are_invalid()
    {
        // No byte of a multi-byte character may pass as a contract character.
        Assert.False(Ids.IsValid("aİ"u8));
        Assert.False(Ids.IsValid(new byte[] { 0xC1, 0x81 }));
    }

    [Fact]
    public void Sixty_four_multibyte_utf8_bytes_are_invalid_and_sixty_five_ascii_bytes_are_too_long()
    {
        Assert.False(Ids.IsValid(Encoding.UTF8.GetBytes(new string('é', 32))));
        Assert.False(Ids.IsValid(Encoding.UTF8.GetBytes(new string('a', 65))));
        Assert.True(Ids.IsValid(Encoding.UTF8.GetBytes(new string('a', 64))));
    }

    [Theory]
    [InlineData(null, "order is missing")]
    [InlineData("", "order is missing")]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "order is longer than 64 characters")]
    [InlineData("QF 2611", "order 'QF 2611' has characters outside [A-Za-z0-9._-]")]
    [InlineData("巧锋", "order '巧锋' has characters outside [A-Za-z0-9._-]")]
    public void The_problem_names_the_field_and_says_why(string? id, string expected) =>
        Assert.Equal(expected, Ids.Problem(id, "order"));

    [Fact]
    public void An_order_key_is_enterprise_slash_order_and_splits_back()
    {
        Assert.Equal("qiaofeng/QF-2611-0042", Keys.Order("qiaofeng", "QF-2611-0042"));
        Assert.Equal(("qiaofeng", "QF-2611-0042"), Keys.SplitOrder("qiaofeng/QF-2611-0042"));
    }

    [Theory]
    [InlineData("qiaofeng")]
    [InlineData("/QF-1")]
    [InlineData("qiaofeng/")]
    [InlineData("qiaofeng/QF/1")]
    [InlineData("qiao feng/QF-1")]
    [InlineData("")]
    public void A_key_that_is_not_enterprise_slash_order_does_not_split(string key) =>
        Assert.Throws<ArgumentException>(() => Keys.SplitOrder(key));
}

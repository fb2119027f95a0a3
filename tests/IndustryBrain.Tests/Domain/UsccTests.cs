using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Domain;

public sealed class UsccTests
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    [Theory]
    [InlineData("91500111MA5U3Q7X1D")]
    [InlineData("914403001922038216")]
    [InlineData("91330100799655058B")]
    [InlineData("9144030071526726XG")]
    public void A_code_with_the_right_check_character_is_valid(string code)
    {
        Assert.Null(Uscc.Problem(code));
        Assert.True(Uscc.IsValid(code));
    }

    [Theory]
    [InlineData("91500111MA5U3Q7X1", 'D')]
    [InlineData("91440300192203821", '6')]
    [InlineData("91330100799655058", 'B')]
    [InlineData("9144030071526726X", 'G')]
    public void The_check_character_of_a_known_code_is_computed(string body, char check) =>
        Assert.Equal(check, Uscc.CheckCharacter(body));

    // Real-format bodies: registration authority and kind (9 1 = company registered with market
    // regulation, 9 2 = individual business, 1 1 = government body, 5 1 = social organisation),
    // the six-digit administrative division (500111 Dazu, 500000 Chongqing, 110108 Haidian,
    // 440300 Shenzhen), then a nine-character organisation code.
    [Theory]
    [InlineData("91500111MA60QK2U3")]
    [InlineData("92500111MA5YR0H7X")]
    [InlineData("11500000009275812")]
    [InlineData("51110108500011223")]
    [InlineData("91440300MA5FXT2N9")]
    [InlineData("91500111203156789")]
    [InlineData("9150011100000000A")]
    [InlineData("YYYYYYYYYYYYYYYYY")]
    [InlineData("00000000000000000")]
    public void A_code_made_with_its_computed_check_character_is_valid(string body)
    {
        var code = body + Uscc.CheckCharacter(body);

        Assert.Null(Uscc.Problem(code));
    }

    [Theory]
    [InlineData("91500111MA5U3Q7X1")]
    [InlineData("914403001922038216")]
    public void Every_other_check_character_is_refused_as_a_wrong_check_digit(string codeOrBody)
    {
        var body = codeOrBody[..17];
        var right = Uscc.CheckCharacter(body);
        var refused = Alphabet.Where(c => c != right).Select(c => Uscc.Problem(body + c)).ToArray();

        Assert.Equal(30, refused.Length);
        Assert.All(refused, reason => Assert.Equal("uscc-check-digit", reason));
    }

    [Theory]
    [InlineData("91500111MA5U3Q7X1C", "uscc-check-digit")]
    [InlineData("91500111MA5U3Q7XD1", "uscc-check-digit")]
    [InlineData("19500111MA5U3Q7X1D", "uscc-check-digit")]
    [InlineData("91500111MA5U3Q7X1", "uscc-length")]
    [InlineData("91500111MA5U3Q7X1D0", "uscc-length")]
    [InlineData("9", "uscc-length")]
    [InlineData("91500111MA5U3Q7XIO", "uscc-character")]
    [InlineData("91500111MA5U3Q7X1I", "uscc-character")]
    [InlineData("91500111MA5U3Q7X1O", "uscc-character")]
    [InlineData("91500111MA5U3Q7X1S", "uscc-character")]
    [InlineData("91500111MA5U3Q7X1V", "uscc-character")]
    [InlineData("91500111MA5U3Q7X1Z", "uscc-character")]
    [InlineData("91500111ma5u3q7x1d", "uscc-character")]
    [InlineData("91500111MA5U3Q7X1 ", "uscc-character")]
    [InlineData("91500111MA5U3Q7X-D", "uscc-character")]
    [InlineData("９1500111MA5U3Q7X1D", "uscc-character")]
    [InlineData("", "uscc-missing")]
    [InlineData(null, "uscc-missing")]
    public void A_wrong_code_is_refused_with_its_reason(string? code, string reason)
    {
        Assert.Equal(reason, Uscc.Problem(code));
        Assert.False(Uscc.IsValid(code));
    }

    [Theory]
    [InlineData("91500111MA5U3Q7X")]
    [InlineData("91500111MA5U3Q7X1D")]
    public void The_check_character_needs_exactly_seventeen_characters(string body) =>
        Assert.Equal("first17", Assert.Throws<ArgumentException>(() => Uscc.CheckCharacter(body)).ParamName);

    [Fact]
    public void The_check_character_refuses_a_body_outside_the_alphabet() =>
        Assert.Throws<ArgumentException>(() => Uscc.CheckCharacter("91500111MA5U3Q7XI"));
}

using IndustryBrain.Domain;

namespace IndustryBrain.Tests;

public sealed class UsccTests
{
    [Theory]
    [InlineData("91500111MA5U3Q7X1D")]
    public void A_code_with_the_right_check_character_is_valid(string code) => Assert.Null(Uscc.Problem(code));

    [Theory]
    [InlineData("91500111MA5U3Q7X1C", "uscc-check-digit")]
    [InlineData("91500111MA5U3Q7X1", "uscc-length")]
    [InlineData("91500111MA5U3Q7XIO", "uscc-character")]
    public void A_wrong_code_is_refused_with_its_reason(string code, string reason) => Assert.Equal(reason, Uscc.Problem(code));
}

namespace IndustryBrain;

/// <summary>The enterprises that hold terminal credentials (key <see cref="Keys.District"/>), for exporting them to a broker.</summary>
[Alias("ib.ICredentialIndexGrain")]
public interface ICredentialIndexGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(string enterprise);

    [Alias("Remove")]
    Task Remove(string enterprise);

    [Alias("Enterprises")]
    Task<string[]> Enterprises();
}

using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Cockpit;

namespace IndustryBrain.Tests.Cockpit;

public sealed class ChainMapTests
{
    [Fact]
    public void The_default_map_is_the_contract_s_hardware_chain()
    {
        var (map, problem) = ConfiguredChainMap.Load(Path.Combine(AppContext.BaseDirectory, ConfiguredChainMap.DefaultFile));

        Assert.Null(problem);
        Assert.Equal(["steel", "nonferrous", "mold", "heat-treat", "surface", "packaging"], map!.Nodes.Where(n => n.Stage == ChainStages.Upstream).Select(n => n.Id));
        Assert.Equal(["forging", "stamping", "machining", "knives", "scissors", "locks", "tools", "kitchenware"], map.Nodes.Where(n => n.Stage == ChainStages.Midstream).Select(n => n.Id));
        Assert.Equal(["trading", "ecommerce", "logistics"], map.Nodes.Where(n => n.Stage == ChainStages.Downstream).Select(n => n.Id));
        Assert.Equal("刀具", map.Nodes.Single(n => n.Id == "knives").Name);
        Assert.Contains(new ChainEdge("steel", "forging"), map.Edges);
    }

    [Theory]
    [InlineData("""{"nodes":[]}""", "the chain map needs at least one node")]
    [InlineData("""{"nodes":[{"id":"a","name":"甲","stage":"upstream"},{"id":"a","name":"乙","stage":"midstream"}]}""", "node 'a' appears twice")]
    [InlineData("""{"nodes":[{"id":"a","name":"甲","stage":"sideways"}]}""", "node 'a' has stage 'sideways'; it must be upstream, midstream or downstream")]
    [InlineData("""{"nodes":[{"id":"a b","name":"甲","stage":"upstream"}]}""", "node id 'a b' has characters outside [A-Za-z0-9._-]")]
    [InlineData("""{"nodes":[{"id":"other","name":"甲","stage":"upstream"}]}""", "node id 'other' is kept for enterprises off the map")]
    [InlineData("""{"nodes":[{"id":"a","name":"甲","stage":"upstream"}],"edges":[{"from":"a","to":"b"}]}""", "edge a -> b names a node that is not on the map")]
    [InlineData("""{"nodes":[{"id":"a","name":"","stage":"upstream"}]}""", "node 'a' needs a name of 1 to 50 characters")]
    [InlineData("""{"nodes":""", "the chain map is not valid JSON")]
    public void A_map_that_cannot_be_drawn_is_refused_with_the_reason(string json, string reason)
    {
        var (map, problem) = ChainMaps.Parse(json);

        Assert.Null(map);
        Assert.StartsWith(reason, problem);
    }

    [Fact]
    public void A_district_s_own_map_with_edges_is_accepted()
    {
        var (map, problem) = ChainMaps.Parse("""
            {"name":"铜梁龙灯","nodes":[{"id":"bamboo","name":"竹材","nameEn":"Bamboo","stage":"upstream"},
                                   {"id":"lanterns","name":"灯具","stage":"midstream"}],
             "edges":[{"from":"bamboo","to":"lanterns"}]}
            """);

        Assert.Null(problem);
        Assert.Equal(new ChainMap("铜梁龙灯", null, [new("bamboo", "竹材", "Bamboo", "upstream"), new("lanterns", "灯具", null, "midstream")], [new("bamboo", "lanterns")]).Nodes, map!.Nodes);
        Assert.Equal([new ChainEdge("bamboo", "lanterns")], map.Edges);
    }
}

using IndustryBrain.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddEnvironmentVariables("IB__");
builder.Configuration.AddCommandLine(args);
builder.AddIndustryBrain();
builder.Build().MapIndustryBrain().Run();

/// <summary>The silo's entry point; public so tests can find the assembly.</summary>
public partial class Program;

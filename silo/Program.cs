using IndustryBrain.Silo.Hosting;

// The content root is the folder of the binaries, wherever the silo is started from, so that its
// appsettings.json (quiet logging: warnings from the framework, the brain's own events) always applies.
// Relative paths in the configuration (Storage:Path) stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddEnvironmentVariables("IB__");
builder.Configuration.AddCommandLine(args);
builder.AddIndustryBrain();
builder.Build().MapIndustryBrain().Run();

/// <summary>The silo's entry point; public so tests can find the assembly.</summary>
public partial class Program;

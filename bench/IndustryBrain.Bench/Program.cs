using System.Globalization;
using IndustryBrain.Bench;
using MQTTnet.Protocol;

// dotnet run -c Release --project bench/IndustryBrain.Bench -- [--quick] [options]
// A benchmark, not a test: it prints figures and judges them against the targets; it fails
// (exit 1) only when a count is not exact or a run could not finish.
if (args is [BareBroker.Mode, var port, var qos])
{
    return await BareBroker.Serve(int.Parse(port, CultureInfo.InvariantCulture), (MqttQualityOfServiceLevel)int.Parse(qos, CultureInfo.InvariantCulture));
}

Settings settings;
try
{
    settings = Settings.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Settings.Usage);
    return 2;
}

if (settings.Help)
{
    Console.WriteLine(Settings.Usage);
    return 0;
}

return await new BenchRun(settings).Run();

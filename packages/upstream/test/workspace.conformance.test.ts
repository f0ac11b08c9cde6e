import { describeDesktopPlatformConformance } from "../conformance/index.ts";
import { workspaceOnSim } from "./sim-harness.ts";

describeDesktopPlatformConformance("workspace adapter on the simulator", workspaceOnSim);

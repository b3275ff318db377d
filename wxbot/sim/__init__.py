"""The web-WeChat protocol simulator (real HTTP on 127.0.0.1) that itchat-uos logs into."""

from wxbot.sim.simulator import Simulator
from wxbot.sim.world import Group, Person, World, default_world

__all__ = ["Group", "Person", "Simulator", "World", "default_world"]

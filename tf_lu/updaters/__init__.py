"""updaters"""

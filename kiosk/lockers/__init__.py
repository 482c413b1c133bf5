"""The 24-hour document locker (24小时自助文件柜): the cabinet from config, what each compartment
holds, the door journal that survives a power cut, pickup codes and their attempt limits, staff
sign-in and the audit of every opening. Plain Python over SQLAlchemy and the lock board's
interface; never imports Kivy and never names a concrete driver.
"""

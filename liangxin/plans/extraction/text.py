"""Text clean-up for notices (通知正文的清洗).

Two layers of text are kept:

* the *written* text: lines joined, page debris dropped, stray spaces removed,
  but every character otherwise as the notice prints it, so quotes and unit
  names can be given back "as written";
* the *canonical* text: the same string mapped character by character
  (full-width digits to ASCII, half-width brackets and commas to full width,
  繁體 to 简体).  Because the mapping is one character to one character, an
  index found in the canonical text is valid in the written text too.
"""

from __future__ import annotations

import re

# 繁體 → 简体 for the characters likely in government notices.  One character to
# one character only, so that canonical and written text stay index-aligned.
_TRADITIONAL = (
    "輛臺個項場億萬縣區廳辦關於發號實務舊換設備規費動業農機達標準數據長較約兩別責單牽頭門負職鎮產園資環應經濟財稅衛傳統優質綠廠車電裝銷點網絡進總體舉學醫療會導領組織強調協節處報廢級為國圍過計劃創築營餘積極貫徹認識義習戰碼聯與並對這從將開間問題類價買賣貸銀險風氣熱燈鐵鋼礦線終維護養檢驗測監執綜運輸郵遞鄉鄰適齡樣範試啟廣東龍陽陰雲貴遼寧蘇漢滬閩贛粵瓊陝灣紅黃藍書記說語話讀請論訂議譯讓誠謝詳證評諸貨購貿賓戶噸畝輪軟輕載輔轉邊遠選還遺遷層屬歲際陸隊階隨雙難靈響順預頒頻顯飛飲館馬駛驅魚鳥麥齊團圖壓塊壞壯夠奮婦嬰孫寶審寫專尋屆島嶺帶師幣幫幹庫廁廟張彈後徑復徵憲懷戲擇擔擁擴攜斷時晉暫曆條來構樓權歡歸殘溝溫滅滿漁潔濕災烏無煙爭牆獎獨現畫當盡盤礎確禮種稱穩競筆簡糧紀紙細結給絕緊編縮績繼續罰聲肅脫腦興華葉蓋蘭術衝補製複視覽觀託訪許診詢誌誤課談諮謀講豐貢趨跡軌連週遊違釋針鋪錄錢鍵鏈隱雜離頁額顧黨佈併倉們偉債傷儀儲兒內冊劑勞勝勢勵參變嚴堅聽啓貼獲慮態慶氫鋰礙塑膠輛齒週齡號碩鑒鑑檔條慣擬據摯樞歷氫"
    "躍揮癒隻煉糾紛紡緻縫繳罷羅聖聞膽臨艦藝蘋蘆虧蟲襲覺觸訊訓詐詞誇誕誘諾謂謹譜貞貧販貪貯賀賃賊賑賜賞賠賢賦賬贈贊趕趙踐蹤軍軒輝輩輯輻轄轎轟辭遜遲邁邏鄭醞醬釀鈴鉛銅銘銜銳鋁鋒錦錯鍋鍛鍾鎖鏡鐘鑄鑰閃閉閑閘閣閥閱闊闖陣陳隸雖雞霧靜頂須頑頓頸顏願飄飯飼飽飾騎騰驚鬥鬧魯鮮鯉鳳鳴鴻鵝鶴鹽麗龜亞侖侶係倆倫偵側傢傑傘傭傾僅僑僕儘兌凍凱劇劍勁勛勸匯卻厭厲敘嘆嘗嘯嚇囑圓堯塗塵墊墜墳壇壘壟壩壺壽夢夥夾奪妝婁媽嫻嬌寬寵屢岡峽崗嶄巖帥帳廂廈廚彙彥徠恆恥悅惡惱惲愛愜愨慘慚慟憂憐憑憤懇懲懸懼懾戀拋挾捨掃掄掙掛採揀揚損搖搶摟撈撐撥撫撲擊擋擠擺擾攏攔攝攤攪敗敵斂斃斕斬晝暈暢曄曉曖朧柵桿梔梘梟棄棖棗棟棧棲椏楊楓楨榪榮槍槓樁樂樅樹樺橋橢橫檁檯檳櫃櫓櫚櫥櫻欄欖歐歟殞殤殫殮殯殲殺殼毀毆氈氬氳滙",
    "辆台个项场亿万县区厅办关于发号实务旧换设备规费动业农机达标准数据长较约两别责单牵头门负职镇产园资环应经济财税卫传统优质绿厂车电装销点网络进总体举学医疗会导领组织强调协节处报废级为国围过计划创筑营余积极贯彻认识义习战码联与并对这从将开间问题类价买卖贷银险风气热灯铁钢矿线终维护养检验测监执综运输邮递乡邻适龄样范试启广东龙阳阴云贵辽宁苏汉沪闽赣粤琼陕湾红黄蓝书记说语话读请论订议译让诚谢详证评诸货购贸宾户吨亩轮软轻载辅转边远选还遗迁层属岁际陆队阶随双难灵响顺预颁频显飞饮馆马驶驱鱼鸟麦齐团图压块坏壮够奋妇婴孙宝审写专寻届岛岭带师币帮干库厕庙张弹后径复征宪怀戏择担拥扩携断时晋暂历条来构楼权欢归残沟温灭满渔洁湿灾乌无烟争墙奖独现画当尽盘础确礼种称稳竞笔简粮纪纸细结给绝紧编缩绩继续罚声肃脱脑兴华叶盖兰术冲补制复视览观托访许诊询志误课谈咨谋讲丰贡趋迹轨连周游违释针铺录钱键链隐杂离页额顾党布并仓们伟债伤仪储儿内册剂劳胜势励参变严坚听启贴获虑态庆氢锂碍塑胶辆齿周龄号硕鉴鉴档条惯拟据挚枢历氢"
    "跃挥愈只炼纠纷纺致缝缴罢罗圣闻胆临舰艺苹芦亏虫袭觉触讯训诈词夸诞诱诺谓谨谱贞贫贩贪贮贺赁贼赈赐赏赔贤赋账赠赞赶赵践踪军轩辉辈辑辐辖轿轰辞逊迟迈逻郑酝酱酿铃铅铜铭衔锐铝锋锦错锅锻钟锁镜钟铸钥闪闭闲闸阁阀阅阔闯阵陈隶虽鸡雾静顶须顽顿颈颜愿飘饭饲饱饰骑腾惊斗闹鲁鲜鲤凤鸣鸿鹅鹤盐丽龟亚仑侣系俩伦侦侧家杰伞佣倾仅侨仆尽兑冻凯剧剑劲勋劝汇却厌厉叙叹尝啸吓嘱圆尧涂尘垫坠坟坛垒垄坝壶寿梦伙夹夺妆娄妈娴娇宽宠屡冈峡岗崭岩帅帐厢厦厨汇彦徕恒耻悦恶恼恽爱惬悫惨惭恸忧怜凭愤恳惩悬惧慑恋抛挟舍扫抡挣挂采拣扬损摇抢搂捞撑拨抚扑击挡挤摆扰拢拦摄摊搅败敌敛毙斓斩昼晕畅晔晓暧胧栅杆栀枧枭弃枨枣栋栈栖桠杨枫桢杩荣枪杠桩乐枞树桦桥椭横檩台槟柜橹榈橱樱栏榄欧欤殒殇殚殓殡歼杀壳毁殴毡氩氲汇",
)
assert len(_TRADITIONAL[0]) == len(_TRADITIONAL[1])

_CANON_MAP = {ord(a): b for a, b in zip(*_TRADITIONAL, strict=True)}
# Full-width digits and letters → ASCII (０-９, Ａ-Ｚ, ａ-ｚ).
_CANON_MAP.update({0xFF10 + i: str(i) for i in range(10)})
_CANON_MAP.update({0xFF21 + i: chr(0x41 + i) for i in range(26)})
_CANON_MAP.update({0xFF41 + i: chr(0x61 + i) for i in range(26)})
# Punctuation to one spelling.  Half-width colon becomes full width; ratios
# (0.8:1) are matched with the full-width form too.
_CANON_MAP.update(
    {
        ord("("): "（",
        ord(")"): "）",
        ord(";"): "；",
        ord(":"): "：",
        ord("∶"): "：",
        ord("％"): "%",
        ord("﹪"): "%",
        ord("~"): "～",
        ord("〜"): "～",
        ord("［"): "〔",
        ord("］"): "〕",
        ord("【"): "〔",
        ord("】"): "〕",
        ord("﹝"): "〔",
        ord("﹞"): "〕",
        ord("！"): "。",
        ord("？"): "。",
        ord("﹐"): "，",
        ord("､"): "、",
        ord("．"): ".",
        ord("\u3000"): " ",
        ord("\xa0"): " ",
    }
)


def canon(text: str) -> str:
    """Map written text to canonical text, one character for one character."""
    out = text.translate(_CANON_MAP)
    # A half-width comma is a clause comma (，) unless it separates thousands
    # (1,000).  Same length either way.
    if "," in out:
        out = re.sub(r"(?<!\d),|,(?!\d{3})", "，", out)
    return out


# Built once: rebuilding it per call was most of the extractor's run time.
_SIMPLIFIED_MAP = str.maketrans(*_TRADITIONAL)


def to_simplified(text: str) -> str:
    """繁體 → 简体 for the characters in the mapping table only."""
    return text.translate(_SIMPLIFIED_MAP)


# Page numbers and other debris that a PDF or Word conversion leaves on its own
# line: "— 3 —", "-3-", "- 3 -", "3", "第3页", "第 3 页 共 10 页".
_DEBRIS = re.compile(
    r"^\s*(?:[-—–－―─一_]*\s*\d{1,3}\s*[-—–－―─一_]*"
    r"|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?"
    r"|\d+\s*/\s*\d+)\s*$"
)
_ASCII_ALNUM = re.compile(r"[0-9A-Za-z]")


def squeeze_spaces(line: str) -> str:
    """Drop spaces except the ones between two ASCII letters/digits (\"AI 等\" → \"AI等\").

    Notices converted from PDF carry stray spaces ("2024 年 7月 23 日",
    "4 号"); in Chinese prose a space never carries meaning.
    """
    line = line.replace("\u3000", " ").replace("\xa0", " ").replace("\t", " ")

    def keep(m: re.Match) -> str:
        s, e = m.start(), m.end()
        before = line[s - 1] if s > 0 else ""
        after = line[e] if e < len(line) else ""
        if before and after and _ASCII_ALNUM.match(before) and _ASCII_ALNUM.match(after):
            # "2024 年" never reaches here; "Wi Fi" or "3 000" do.
            if before.isdigit() and after.isdigit():
                return ""
            return " "
        return ""

    return re.sub(r" +", keep, line).strip()


def clean_lines(raw: str) -> list[str]:
    """Split into non-empty lines, without page debris and without spaces."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\ufeff", "")
    lines = []
    for line in raw.split("\n"):
        if _DEBRIS.match(line):
            continue
        line = squeeze_spaces(line)
        if line:
            lines.append(line)
    return cut_footer(lines)


_FOOTER_START = re.compile(r"^(抄送|抄報|抄报|主送)[：:]")
_PRINTED = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日印[发發]$")


def cut_footer(lines: list[str]) -> list[str]:
    """Drop the 抄送/印发 block at the end of a notice.

    It names offices (县委各部门, 县法院…) and a print date that must not be
    read as part of the last task.
    """
    for i, line in enumerate(lines):
        if _FOOTER_START.match(line):
            return lines[:i]
    for i, line in enumerate(lines):
        if _PRINTED.search(line) and i >= len(lines) - 3:
            # "XX县人民政府办公室" on the line above belongs to the same footer.
            j = i
            if (
                j > 0
                and re.search(r"(办公室|办公厅|辦公室|辦公廳)$", lines[j - 1])
                and len(lines[j - 1]) < 30
            ):
                j -= 1
            return lines[:j]
    return lines


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: no separator in Chinese, a space between ASCII words."""
    out = ""
    for line in lines:
        if (
            out
            and _ASCII_ALNUM.match(out[-1])
            and _ASCII_ALNUM.match(line[0])
            and not (out[-1].isdigit() and line[0].isdigit())
        ):
            out += " "
        out += line
    return out
